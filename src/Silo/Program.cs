using FedDistill.Silo.Hosting;
using FedDistill.Silo.Security;

var builder = WebApplication.CreateBuilder(args);
builder.AddFederationSecurity();
builder.AddFedDistillSilo();

var app = builder.Build();
app.UseFederationSecurity();
app.MapFedDistillSilo();
app.Run();
