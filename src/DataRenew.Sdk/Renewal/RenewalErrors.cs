namespace DataRenew.Sdk.Renewal;

/// <summary>How the engine reads an error from a carrier or a gateway.</summary>
internal static class RenewalErrors
{
    /// <summary>Worth trying again after a pause: the outcome is read back first, so nothing repeats.</summary>
    public static bool IsTransient(Exception ex, CancellationToken cancellationToken) => ex switch
    {
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        DataRenewException d => d.IsTransient,
        HttpRequestException or TimeoutException or IOException => true,
        _ => false,
    };

    /// <summary>
    /// The carrier or gateway answered "no" (not a lost answer, not throttling, not an expired session,
    /// not our own bad input): asking again would get the same answer.
    /// </summary>
    public static bool IsDefiniteRefusal(DataRenewException ex) =>
        !ex.IsTransient && ex is not AuthenticationFailedException and not DataRenewValidationException and not RenewalConflictException;
}
