using DataRenew.Sdk.Renewal;
using Microsoft.Extensions.Logging;

namespace DataRenew.Sdk.Diagnostics;

/// <summary>
/// Every log line the SDK writes, with stable event ids. Only masked identifiers go in: phone numbers,
/// ICCIDs and account numbers are masked by the caller; secrets never reach here.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(1001, LogLevel.Information, "Signed in to {Carrier} (account {MaskedAccount}) with {Method}")]
    public static partial void SignedIn(ILogger logger, CarrierId carrier, string maskedAccount, string method);

    [LoggerMessage(1002, LogLevel.Information, "One-time code requested at {Carrier} for {MaskedPhone}")]
    public static partial void OneTimeCodeRequested(ILogger logger, CarrierId carrier, string maskedPhone);

    [LoggerMessage(1003, LogLevel.Information, "Quoted {PlanCode} at {Price} for line {MaskedLineId}, valid until {ExpiresAt:O}")]
    public static partial void Quoted(ILogger logger, PlanCode planCode, Money price, string maskedLineId, DateTimeOffset expiresAt);

    [LoggerMessage(1005, LogLevel.Warning, "{Carrier} listed an entry that is not a line it can be asked about ({MaskedIdentifier}): {Reason}")]
    public static partial void LineUnreadable(ILogger logger, CarrierId carrier, string? maskedIdentifier, string reason);

    [LoggerMessage(1004, LogLevel.Warning, "Quote for {PlanCode} refused: {Reason}")]
    public static partial void QuoteRefused(ILogger logger, PlanCode planCode, QuoteInvalidReason reason);

    [LoggerMessage(2001, LogLevel.Information, "Renewal {RenewalId} started at {Carrier}: line {MaskedLineId} to {PlanCode} for {Price}")]
    public static partial void RenewalStarted(ILogger logger, RenewalId renewalId, CarrierId carrier, string maskedLineId, PlanCode planCode, Money price);

    [LoggerMessage(2002, LogLevel.Information, "Renewal {RenewalId} is {State} (version {Version})")]
    public static partial void StateChanged(ILogger logger, RenewalId renewalId, RenewalState state, int version);

    [LoggerMessage(2003, LogLevel.Warning, "Renewal {RenewalId}: step {State} failed with {ErrorType}; it will be read back and retried")]
    public static partial void StepFailedTransiently(ILogger logger, RenewalId renewalId, RenewalState state, string errorType);

    [LoggerMessage(2004, LogLevel.Warning, "Renewal {RenewalId}: the carrier refused the order (code {CarrierErrorCode})")]
    public static partial void OrderRefused(ILogger logger, RenewalId renewalId, string? carrierErrorCode);

    [LoggerMessage(2005, LogLevel.Information, "Renewal {RenewalId} resumed at {State}")]
    public static partial void Resumed(ILogger logger, RenewalId renewalId, RenewalState state);
}
