using FedDistill.Serving.Batching;
using FedDistill.Serving.Hosting;

namespace FedDistill.Serving.Tests.Support;

/// <summary>A <see cref="StudentServer"/> on 127.0.0.1 and a port picked at run time, with a client for it; disposing stops both.</summary>
public sealed class RunningServer : IAsyncDisposable
{
    private RunningServer(StudentServer server, HttpClient client)
    {
        Server = server;
        Client = client;
    }

    public StudentServer Server { get; }

    public HttpClient Client { get; }

    public static async Task<RunningServer> StartAsync(IStudentModel model, ServingOptions? options = null)
    {
        options ??= new ServingOptions { Batching = new BatchingOptions { MaxWait = TimeSpan.FromMilliseconds(1) } };
        var server = await StudentServer.StartAsync(model, options with { Urls = "http://127.0.0.1:0" });
        return new RunningServer(server, new HttpClient { BaseAddress = server.Address, Timeout = TimeSpan.FromSeconds(30) });
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
    }
}
