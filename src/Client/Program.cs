using System.CommandLine;
using FedDistill.Client.Commands;

var root = new RootCommand("FedDistill: federated, multi-teacher knowledge distillation on TorchSharp.")
{
    DemoCommand.Create(),
    CompressCommand.Create(),
    DistillCommand.Create(),
    DoctorCommand.Create(),
    AdminCommand.Create(),
    FederationCommand.Create(),
    ParticipantsCommand.Create(),
    RoundsCommand.Create(),
    ServeCommand.Create(),
    StudentsCommand.Create(),
};
return await CommandLineUsage.InvokeAsync(root.Parse(args));
