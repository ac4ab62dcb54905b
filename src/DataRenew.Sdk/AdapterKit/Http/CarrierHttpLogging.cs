using System.Diagnostics.CodeAnalysis;
using DataRenew.Sdk.AdapterKit;
using Microsoft.Extensions.Http.Logging;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Logging for a carrier's <see cref="HttpClient"/> that never writes a header. The factory's default loggers write
/// every request header at <see cref="LogLevel.Trace"/>: the message masks the values, but the structured state keeps
/// them raw, so a structured sink (JSON console, OpenTelemetry) would export <c>Authorization</c> (Basic credentials,
/// bearer tokens) and other credential headers. This replaces them with one line per call: method, path (no query),
/// status and duration.
/// </summary>
public static partial class CarrierHttpLogging
{
    /// <summary>Removes the client's loggers (the factory's defaults included) and logs each call without headers or query.</summary>
    /// <param name="builder">The carrier's client.</param>
    /// <param name="categoryName">The log category, for example <c>DataRenew.Sdk.Http.Att</c>.</param>
    [SuppressMessage("Design", "CA1062", Justification = "Checked by ArgumentNullException.ThrowIfNull.")]
    public static IHttpClientBuilder UseCarrierHttpLogging(this IHttpClientBuilder builder, string categoryName)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(categoryName);
        return builder.RemoveAllLoggers().AddLogger(
            sp => new HeaderlessLogger((sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger(categoryName)),
            wrapHandlersPipeline: true);
    }

    private sealed partial class HeaderlessLogger(ILogger logger) : IHttpClientLogger
    {
        public object? LogRequestStart(HttpRequestMessage request) => null;

        public void LogRequestStop(object? context, HttpRequestMessage request, HttpResponseMessage response, TimeSpan elapsed) =>
            Answered(logger, request.Method, PathOf(request), (int)response.StatusCode, request.GetEffect(), elapsed.TotalMilliseconds);

        public void LogRequestFailed(object? context, HttpRequestMessage request, HttpResponseMessage? response, Exception exception, TimeSpan elapsed) =>
            Failed(logger, request.Method, PathOf(request), exception.GetType().Name, request.GetEffect(), elapsed.TotalMilliseconds);

        // Paths can hold an ICCID or a number (devices/{iccid}): long digit runs are masked like everywhere else.
        private static string PathOf(HttpRequestMessage request) => CarrierErrors.Sanitise(request.RequestUri switch
        {
            { IsAbsoluteUri: true } uri => uri.AbsolutePath,
            { } uri => uri.OriginalString.Split('?', 2)[0],
            null => string.Empty,
        });

        [LoggerMessage(3001, LogLevel.Debug, "Carrier call {Method} {Path} answered {StatusCode} ({Effect}) in {ElapsedMilliseconds:0} ms")]
        private static partial void Answered(ILogger logger, HttpMethod method, string path, int statusCode, CarrierRequestEffect effect, double elapsedMilliseconds);

        [LoggerMessage(3002, LogLevel.Debug, "Carrier call {Method} {Path} failed with {ErrorType} ({Effect}) after {ElapsedMilliseconds:0} ms")]
        private static partial void Failed(ILogger logger, HttpMethod method, string path, string errorType, CarrierRequestEffect effect, double elapsedMilliseconds);
    }
}
