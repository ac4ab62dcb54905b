using System.Buffers;
using System.Net.Http.Headers;

namespace DataRenew.Sdk.AdapterKit;

/// <summary>
/// Reads each response body into memory up to a limit, inside the handler chain, so the per-attempt
/// timeout covers the body too: a huge or never-ending body fails cleanly instead of hanging or
/// filling memory. Add it innermost (last).
/// </summary>
public sealed class ResponseBufferingHandler : DelegatingHandler
{
    private readonly long _maxBytes;

    /// <summary>Creates the handler.</summary>
    /// <param name="maxResponseBytes">The largest body accepted.</param>
    public ResponseBufferingHandler(long maxResponseBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxResponseBytes);
        _maxBytes = maxResponseBytes;
    }

    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        try
        {
            if (response.Content is { } content)
            {
                if (content.Headers.ContentLength > _maxBytes)
                {
                    throw new ResponseTooLargeException(_maxBytes);
                }

                var buffered = await ReadLimitedAsync(content, cancellationToken).ConfigureAwait(false);
                foreach (var header in content.Headers)
                {
                    if (!string.Equals(header.Key, "Content-Length", StringComparison.OrdinalIgnoreCase))
                    {
                        buffered.Headers.TryAddWithoutValidation(header.Key, header.Value);
                    }
                }

                buffered.Headers.ContentLength = buffered.Bytes.Length;
                response.Content = buffered;
                content.Dispose();
            }

            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    private async Task<BufferedContent> ReadLimitedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            // A stated length: one exact buffer, filled in place (one byte more would prove the length a lie).
            if (content.Headers.ContentLength is { } length)
            {
                var exact = new byte[length];
                var read = await stream.ReadAtLeastAsync(exact, exact.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
                if (read < exact.Length)
                {
                    throw new HttpIOException(HttpRequestError.ResponseEnded, "The response body ended before its stated length.");
                }

                return new BufferedContent(exact, exact.Length);
            }

            var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
            try
            {
                var body = new MemoryStream();
                int read;
                while ((read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    if (body.Length + read > _maxBytes)
                    {
                        throw new ResponseTooLargeException(_maxBytes);
                    }

                    body.Write(buffer, 0, read);
                }

                // The stream's own buffer, not a copy of it.
                return new BufferedContent(body.GetBuffer(), (int)body.Length);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }
}

/// <summary>A body read into memory; the kit reads its bytes without copying them again.</summary>
internal sealed class BufferedContent(byte[] buffer, int length) : ByteArrayContent(buffer, 0, length)
{
    public ReadOnlyMemory<byte> Bytes { get; } = buffer.AsMemory(0, length);
}

/// <summary>A response body was larger than the configured limit.</summary>
internal sealed class ResponseTooLargeException(long limit) : IOException($"The response body is larger than the limit of {limit} bytes.");
