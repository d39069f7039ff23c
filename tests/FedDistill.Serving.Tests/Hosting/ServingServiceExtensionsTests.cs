using System.Net;
using FedDistill.Serving.Hosting;
using FedDistill.Serving.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace FedDistill.Serving.Tests.Hosting;

/// <summary>
/// The student server inside a host of one's own (<c>AddStudentServing</c> without options): its
/// settings bind from <c>FedDistill:Serving</c>, and a bad one fails the start naming the setting.
/// </summary>
public sealed class ServingServiceExtensionsTests
{
    [Fact]
    public async Task Settings_bind_from_the_FedDistill_Serving_section()
    {
        await using var app = Build(new()
        {
            ["FedDistill:Serving:MaxExamplesPerRequest"] = "4",
            ["FedDistill:Serving:MaxRequestBodyBytes"] = "2048",
            ["FedDistill:Serving:Batching:MaxBatchSize"] = "8",
            ["FedDistill:Serving:Batching:MaxWait"] = "00:00:00.005",
            ["FedDistill:Serving:Batching:QueueCapacity"] = "16",
        });
        app.MapStudentServing();
        await app.StartAsync();
        using var client = new HttpClient { BaseAddress = new Uri(app.Urls.Single()) };

        using var response = await client.GetAsync("/v1/model");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var description = await Json.ReadAsync(response);
        Assert.Equal(4, description.GetProperty("maxExamplesPerRequest").GetInt32());
        Assert.Equal(2048, description.GetProperty("maxRequestBodyBytes").GetInt64());
        Assert.Equal(8, description.GetProperty("maxBatchSize").GetInt32());
        Assert.Equal(5, description.GetProperty("maxWaitMilliseconds").GetDouble());
        Assert.Equal(16, description.GetProperty("queueCapacity").GetInt32());
        await app.StopAsync();
    }

    [Fact]
    public async Task A_bad_bound_setting_fails_the_start_naming_it()
    {
        await using var app = Build(new() { ["FedDistill:Serving:Batching:MaxBatchSize"] = "0" });

        var error = Assert.Throws<OptionsValidationException>(() => app.MapStudentServing());

        Assert.Contains("BatchingOptions.MaxBatchSize is 0", error.Message, StringComparison.Ordinal);
    }

    private static WebApplication Build(Dictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddSingleton<IHostLifetime, EmbeddedHostLifetime>();
        builder.AddStudentServing(new FakeStudentModel());
        return builder.Build();
    }
}
