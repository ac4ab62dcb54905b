namespace DataRenew.Sdk.Callbacks;

/// <summary>
/// Verifies and applies carrier callbacks (Verizon-style <c>CarrierService</c> callbacks, T-Mobile-style hub events).
/// A host (an ASP.NET Core endpoint, a function, a queue consumer) passes the raw body bytes and the headers; nothing here
/// depends on a web framework. Resolve it from the container: <c>services.AddDataRenew()</c> registers it.
/// </summary>
public interface ICarrierCallbackHandler
{
    /// <summary>
    /// Verifies a callback (credentials or signature, in constant time, before anything is applied), parses it, and
    /// applies the order status it reports to the renewal waiting on that order, exactly as a status poll would.
    /// Hostile bodies give a typed result, never an exception; a repeated or out-of-order callback changes nothing.
    /// </summary>
    /// <param name="carrier">Which carrier's listener was called (the host routes by path, for example <c>/callbacks/verizon</c>).</param>
    /// <param name="body">The raw request body, unchanged (the signature covers these exact bytes).</param>
    /// <param name="headers">The request headers; names are matched case-insensitively.</param>
    /// <param name="cancellationToken">Stops waiting for the renewal; a status already handed over is still applied.</param>
    Task<CallbackResult> HandleAsync(CarrierId carrier, ReadOnlyMemory<byte> body, IReadOnlyDictionary<string, string> headers, CancellationToken cancellationToken = default);
}
