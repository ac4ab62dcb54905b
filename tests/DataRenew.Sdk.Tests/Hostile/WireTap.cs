using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http;

namespace DataRenew.Sdk.Tests.Hostile;

/// <summary>
/// Sits between every carrier HttpClient and the wire (it wraps each client's primary handler, under the kit's own
/// handlers: body limit, resilience, auth), sees every request and answer, and may replace an answer's body.
/// </summary>
public sealed class WireTap
{
    private readonly Lock _gate = new();
    private int _responses;

    /// <summary>Replaces the body of answer number N (counting from 0), or returns null to leave it alone.</summary>
    public Func<int, HttpRequestMessage, byte[], HttpContent?>? Mutate { get; set; }

    /// <summary>JSON answers seen (only those are counted and mutated).</summary>
    public int Responses => _responses;

    /// <summary>The request behind each counted answer ("GET /path"), by answer number.</summary>
    public List<string> Answers { get; } = [];

    /// <summary>The size of each counted answer, by answer number.</summary>
    public List<int> AnswerSizes { get; } = [];

    /// <summary>Every request header and body and every answer body, for the secrets test.</summary>
    public List<string> Traffic { get; } = [];

    /// <summary>Installs the tap on every HttpClient the factory builds.</summary>
    public void Install(IServiceCollection services) =>
        services.ConfigureAll<HttpClientFactoryOptions>(o => o.HttpMessageHandlerBuilderActions.Add(b => b.PrimaryHandler = new Handler(this, b.PrimaryHandler)));

    private sealed class Handler(WireTap tap, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var sent = request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken);
            var response = await base.SendAsync(request, cancellationToken);
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            int index;
            lock (tap._gate)
            {
                tap.Traffic.Add(string.Join("\n", request.Headers.Select(h => h.Key + ": " + string.Join(",", h.Value))) + "\n" + sent);
                tap.Traffic.Add(System.Text.Encoding.UTF8.GetString(body));
                index = body.Length > 0 && body[0] is (byte)'{' or (byte)'[' ? tap._responses++ : -1;
                if (index >= 0)
                {
                    tap.Answers.Add($"{index}: {request.Method} {request.RequestUri?.AbsolutePath}");
                    tap.AnswerSizes.Add(body.Length);
                }
            }

            var mutated = index >= 0 ? tap.Mutate?.Invoke(index, request, body) : null;
            var content = mutated ?? new ByteArrayContent(body);
            if (mutated is null || mutated.Headers.ContentType is null)
            {
                content.Headers.ContentType = response.Content.Headers.ContentType;
            }

            response.Content.Dispose();
            response.Content = content;
            return response;
        }
    }
}

/// <summary>A body that is made as it is read and counts what was read: proof that a reader stopped early.</summary>
public sealed class CountingBodyStream(long length, byte fill) : Stream
{
    private long _position;

    public long BytesRead => Interlocked.Read(ref _position);

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => length;

    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = (int)Math.Min(buffer.Length, length - _position);
        if (n <= 0)
        {
            return 0;
        }

        buffer[..n].Fill(fill);
        if (_position == 0)
        {
            buffer[0] = (byte)'[';
        }

        Interlocked.Add(ref _position, n);
        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => new(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(Read(buffer, offset, count));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public static StreamContent Content(CountingBodyStream body, bool statedLength)
    {
        var content = new StreamContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        content.Headers.ContentLength = statedLength ? body.Length : null;
        return content;
    }
}
