using System.CommandLine;
using FedDistill.Client.Commands;

var root = new RootCommand("FedDistill: federated, multi-teacher knowledge distillation on libtorch.")
{
    DemoCommand.Create(),
    DistillCommand.Create(),
    AdminCommand.Create(),
};
return await root.Parse(args).InvokeAsync();
