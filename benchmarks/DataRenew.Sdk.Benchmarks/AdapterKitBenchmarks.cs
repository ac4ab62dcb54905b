using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using BenchmarkDotNet.Attributes;
using DataRenew.Sdk.AdapterKit;
using Microsoft.Extensions.DependencyInjection;

namespace DataRenew.Sdk.Benchmarks;

/// <summary>
/// What the adapter kit costs per carrier call: a plain HttpClient reading a 50-device page with a
/// source-generated context (the least any adapter must do) against the kit's client on the same in-memory
/// handler (resilience pipeline, body limit, header-free logging, error mapping, the same JSON read).
/// </summary>
[MemoryDiagnoser]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet needs unsealed classes and cleans up through [GlobalCleanup].")]
public class CarrierCallOverhead
{
    private HttpClient _plain = null!;
    private CarrierHttpClient _kit = null!;
    private ServiceProvider _services = null!;

    [GlobalSetup]
    public void Setup()
    {
        var page = Encoding.UTF8.GetBytes(DevicePage.Json(50));
        _plain = new HttpClient(new PageHandler(page)) { BaseAddress = new Uri("https://carrier.example/api/") };
        var services = new ServiceCollection();
        services.AddHttpClient("bench", c => c.BaseAddress = new Uri("https://carrier.example/api/"))
            .ConfigurePrimaryHttpMessageHandler(() => new PageHandler(page))
            .AddCarrierResilience("bench", _ => new CarrierResilienceOptions())
            .UseCarrierHttpLogging("bench")
            .AddHttpMessageHandler(() => new ResponseBufferingHandler(4 * 1024 * 1024));
        _services = services.BuildServiceProvider();
        var factory = _services.GetRequiredService<IHttpClientFactory>();
        _kit = new CarrierHttpClient(new CarrierId("bench"), () => factory.CreateClient("bench"), new StatusMapper());
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _plain?.Dispose();
        _services?.Dispose();
    }

    [Benchmark(Baseline = true)]
    public async Task<int> Plain_HttpClient_and_source_generated_json()
    {
        using var response = await _plain.GetAsync(new Uri("devices", UriKind.Relative));
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync();
        var page = await JsonSerializer.DeserializeAsync(body, BenchJson.Default.DevicePage);
        return page!.Devices.Count;
    }

    [Benchmark]
    public async Task<int> Adapter_kit_client()
    {
        var page = await _kit.SendAsync(new HttpRequestMessage(HttpMethod.Get, new Uri("devices", UriKind.Relative)), BenchJson.Default.DevicePage);
        return page.Devices.Count;
    }

    private sealed class PageHandler(byte[] page) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(page) { Headers = { ContentType = new("application/json") } } });
    }

    private sealed class StatusMapper : ICarrierErrorMapper
    {
        public DataRenewException Map(CarrierErrorResponse response) => CarrierErrors.ByStatus(response);
    }
}

/// <summary>
/// The T-Mobile style signs every request (RS256 over a hash of the request). Baseline: the RSA signature alone,
/// which no implementation can avoid; against it, the whole proof-of-possession token (hash, claims, JWT assembly).
/// </summary>
[MemoryDiagnoser]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet needs unsealed classes and cleans up through [GlobalCleanup].")]
public class ProofOfPossessionSigning
{
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("{\"bucket\":{\"id\":\"b-1\"},\"product\":[{\"id\":\"tm-10gb-30d\"}],\"amount\":{\"amount\":40.00,\"units\":\"USD\"}}");
    private RSA _key = null!;
    private ProofOfPossessionSigner _signer = null!;
    private byte[] _payload = null!;

    [GlobalSetup]
    public void Setup()
    {
        _key = RSA.Create(2048);
        _signer = ProofOfPossessionSigner.FromPem(_key.ExportPkcs8PrivateKeyPem());
        _payload = Encoding.UTF8.GetBytes("eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJpYXQiOjE3OTk5OTk5OTl9");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _signer?.Dispose();
        _key?.Dispose();
    }

    [Benchmark(Baseline = true)]
    public byte[] Rsa_signature_alone() => _key.SignData(_payload, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

    [Benchmark]
    public string Whole_pop_token() =>
        _signer.CreateToken("Bearer abc.def", "application/json", "/api/tmf-api/prepayBalanceManagement/v4/topupBalance", "POST", Body);
}

public sealed class DevicePage
{
    [JsonPropertyName("hasMoreData")]
    public bool HasMoreData { get; set; }

    [JsonPropertyName("devices")]
    public List<Device> Devices { get; set; } = [];

    public static string Json(int count) =>
        "{\"hasMoreData\":false,\"devices\":[" + string.Join(',', Enumerable.Range(0, count).Select(i =>
            $"{{\"accountName\":\"0342077109-00001\",\"billingCycleEndDate\":\"2026-12-14T00:00:00Z\",\"connected\":true,\"carrierInformations\":[{{\"carrierName\":\"Verizon Wireless\",\"servicePlan\":\"M2M5GB\",\"state\":\"active\"}}],\"deviceIds\":[{{\"id\":\"89148000000000{i:D5}\",\"kind\":\"iccid\"}},{{\"id\":\"20255{i:D5}\",\"kind\":\"mdn\"}}]}}")) + "]}";
}

public sealed class Device
{
    [JsonPropertyName("accountName")]
    public string? AccountName { get; set; }

    [JsonPropertyName("billingCycleEndDate")]
    public DateTimeOffset? BillingCycleEndDate { get; set; }

    [JsonPropertyName("connected")]
    public bool Connected { get; set; }

    [JsonPropertyName("carrierInformations")]
    public List<CarrierInformation> CarrierInformations { get; set; } = [];

    [JsonPropertyName("deviceIds")]
    public List<DeviceId> DeviceIds { get; set; } = [];
}

public sealed class CarrierInformation
{
    [JsonPropertyName("carrierName")]
    public string? CarrierName { get; set; }

    [JsonPropertyName("servicePlan")]
    public string? ServicePlan { get; set; }

    [JsonPropertyName("state")]
    public string? State { get; set; }
}

public sealed class DeviceId
{
    [JsonPropertyName("id")]
    public string? Id { get; set; }

    [JsonPropertyName("kind")]
    public string? Kind { get; set; }
}

[JsonSerializable(typeof(DevicePage))]
internal sealed partial class BenchJson : JsonSerializerContext;
