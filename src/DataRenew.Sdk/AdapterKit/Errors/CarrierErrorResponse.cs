using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace DataRenew.Sdk.AdapterKit;

/// <summary>A non-success answer from a carrier, as an error mapper sees it.</summary>
public sealed class CarrierErrorResponse
{
    internal CarrierErrorResponse(CarrierId carrier, HttpStatusCode statusCode, HttpResponseHeaders headers, string? mediaType, ReadOnlyMemory<byte> body, string? requestId, TimeSpan? retryAfter)
    {
        Carrier = carrier;
        StatusCode = statusCode;
        Headers = headers;
        MediaType = mediaType;
        Body = body;
        RequestId = requestId;
        RetryAfter = retryAfter;
    }

    /// <summary>The carrier.</summary>
    public CarrierId Carrier { get; }

    /// <summary>The HTTP status.</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>The response headers.</summary>
    public HttpResponseHeaders Headers { get; }

    /// <summary>The body's media type, when the carrier sent one.</summary>
    public string? MediaType { get; }

    /// <summary>The body (possibly empty).</summary>
    public ReadOnlyMemory<byte> Body { get; }

    /// <summary>The carrier's request id from the headers, when present.</summary>
    public string? RequestId { get; }

    /// <summary>How long the carrier asked to wait (<c>Retry-After</c>), when it said.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>The body's first non-space character is <c>{</c> or <c>[</c>.</summary>
    public bool LooksLikeJson => FirstChar() is '{' or '[';

    /// <summary>The body starts like XML or HTML (<c>&lt;</c>).</summary>
    public bool LooksLikeMarkup => FirstChar() == '<';

    /// <summary>The details for an exception, with the carrier's code.</summary>
    public DataRenewErrorDetails Details(string? carrierErrorCode, bool isTransient = false) =>
        new(Carrier, (int)StatusCode, carrierErrorCode, RequestId, isTransient, RetryAfter);

    /// <summary>The value of the first <c>&lt;name&gt;…&lt;/name&gt;</c> element in an XML body, any namespace prefix; no DTDs, no entities.</summary>
    public string? XmlElement(string localName)
    {
        ArgumentException.ThrowIfNullOrEmpty(localName);
        var text = Encoding.UTF8.GetString(Body.Span[..Math.Min(Body.Length, 64 * 1024)]);
        var search = 0;
        while (search < text.Length)
        {
            var open = text.IndexOf('<', search);
            if (open < 0)
            {
                return null;
            }

            var close = text.IndexOf('>', open);
            if (close < 0)
            {
                return null;
            }

            var tag = text.AsSpan(open + 1, close - open - 1);
            var space = tag.IndexOfAny(" \t\r\n/");
            if (space > 0)
            {
                // Attributes (xmlns:am="…") and a self-closing slash are not part of the name.
                tag = tag[..space];
            }

            var colon = tag.IndexOf(':');
            var name = colon >= 0 ? tag[(colon + 1)..] : tag;
            if (name.SequenceEqual(localName) && tag.Length > 0 && tag[0] != '/')
            {
                var end = text.IndexOf("</", close, StringComparison.Ordinal);
                return end < 0 ? null : WebUtility.HtmlDecode(text[(close + 1)..end].Trim());
            }

            search = close + 1;
        }

        return null;
    }

    private char FirstChar()
    {
        foreach (var b in Body.Span)
        {
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n' or 0xEF or 0xBB or 0xBF))
            {
                return (char)b;
            }
        }

        return '\0';
    }
}

/// <summary>Turns a carrier's error answer into the SDK's exception hierarchy. One per adapter.</summary>
public interface ICarrierErrorMapper
{
    /// <summary>The exception for a non-success answer. Never throws; falls back to <see cref="CarrierErrors.ByStatus"/>.</summary>
    DataRenewException Map(CarrierErrorResponse response);
}

/// <summary>The mapping every carrier shares: by HTTP status, when the body says nothing more specific.</summary>
public static class CarrierErrors
{
    /// <summary>
    /// The exception an HTTP status implies: 401 → authentication, 429 → throttled, 408/5xx → unavailable,
    /// other 4xx → rejected. The carrier's message is shortened and has long digit runs masked, so an
    /// echoed phone or card number never reaches a log.
    /// </summary>
    public static DataRenewException ByStatus(CarrierErrorResponse response, string? code = null, string? message = null)
    {
        ArgumentNullException.ThrowIfNull(response);
        var status = (int)response.StatusCode;
        var text = Describe(response, code, message);
        return status switch
        {
            401 => new AuthenticationFailedException(text, response.Details(code)),
            429 => new RateLimitedException(text, response.Details(code, isTransient: true)),
            408 or >= 500 => new CarrierUnavailableException(text, response.Details(code, isTransient: true)),
            _ => new CarrierRejectedException(text, response.Details(code)),
        };
    }

    /// <summary>A one-line description: carrier, status, code and the carrier's (sanitised) message.</summary>
    public static string Describe(CarrierErrorResponse response, string? code, string? message)
    {
        ArgumentNullException.ThrowIfNull(response);
        var builder = new StringBuilder();
        builder.Append(response.Carrier.Value).Append(" answered ").Append((int)response.StatusCode);
        if (!string.IsNullOrWhiteSpace(code))
        {
            builder.Append(' ').Append(Sanitise(code));
        }

        if (!string.IsNullOrWhiteSpace(message))
        {
            builder.Append(": ").Append(Sanitise(message));
        }
        else if (response.Body.IsEmpty)
        {
            builder.Append(" with an empty body");
        }

        if (response.RequestId is { } id)
        {
            builder.Append(" (request ").Append(Sanitise(id)).Append(')');
        }

        return builder.ToString();
    }

    /// <summary>
    /// Shortens text from outside to 200 characters, drops control characters and masks runs of 7 or more digits, and
    /// numbers written in groups (<c>4242 4242 4242 4242</c>, <c>(202) 555-0143</c>, <c>4242/4242/…</c>) of 10 or more
    /// digits in all. Any decimal digit counts (full-width <c>４２</c> too), and any space, dash, underscore, dot, slash
    /// or bracket between groups (their full-width forms too).
    /// </summary>
    public static string Sanitise(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var builder = new StringBuilder(Math.Min(text.Length, 200));
        foreach (var c in text.AsSpan(0, Math.Min(text.Length, 200)))
        {
            if (!char.IsControl(c))
            {
                builder.Append(c);
            }
        }

        // A long digit run may be a phone, card or account number, also when spaces, dashes, dots or brackets split it: keep none of it.
        var i = 0;
        while (i < builder.Length)
        {
            if (!char.IsDigit(builder[i]))
            {
                i++;
                continue;
            }

            int start = i, end = i, digits = 0, group = 0, longest = 0;
            var j = i;
            while (j < builder.Length)
            {
                if (char.IsDigit(builder[j]))
                {
                    digits++;
                    longest = Math.Max(longest, ++group);
                    end = j++;
                    continue;
                }

                var k = j;
                while (k < builder.Length && k - j < 2 && IsGroupSeparator(builder[k]))
                {
                    k++;
                }

                if (k == j || k >= builder.Length || !char.IsDigit(builder[k]))
                {
                    break;
                }

                group = 0;
                j = k;
            }

            if (longest >= 7 || digits >= 10)
            {
                for (var m = start; m <= end; m++)
                {
                    if (char.IsDigit(builder[m]))
                    {
                        builder[m] = '*';
                    }
                }
            }

            i = end + 1;
        }

        return builder.ToString();
    }

    private static bool IsGroupSeparator(char c) =>
        char.IsWhiteSpace(c) || c is '.' or '/' or '(' or ')' or '．' or '／' or '（' or '）'
        || char.GetUnicodeCategory(c) is System.Globalization.UnicodeCategory.DashPunctuation or System.Globalization.UnicodeCategory.ConnectorPunctuation;
}
