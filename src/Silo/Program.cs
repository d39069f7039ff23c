using FedDistill.Silo.Hosting;
using FedDistill.Silo.Security;
using Microsoft.Extensions.Options;

try
{
    var builder = WebApplication.CreateBuilder(args);
    builder.AddFederationSecurity();
    builder.AddFedDistillSilo();

    var app = builder.Build();
    app.UseFederationSecurity();
    app.MapFedDistillSilo();
    app.Run();
}
catch (OptionsValidationException invalid)
{
    // A setting that can never work stops the start with one line naming it, not a stack trace.
    Console.Error.WriteLine($"feddistill-silo: not started, invalid configuration: {string.Join(" ", invalid.Failures)}");
    return SiloExitCodes.InvalidConfiguration;
}

// 0, or what SiloFatalErrorHandler set (declared dead, fatal error).
return Environment.ExitCode;
