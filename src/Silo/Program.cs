using FedDistill.Silo;

var builder = WebApplication.CreateBuilder(args);
var app = builder.Build();
app.MapSiloHealth();
app.Run();
