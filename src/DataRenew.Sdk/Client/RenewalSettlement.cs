using DataRenew.Sdk.Payments;
using DataRenew.Sdk.Renewal;

namespace DataRenew.Sdk;

/// <summary>
/// What <see cref="DataRenewClient.SettleUnfinishedRenewalsAsync"/> needs from the app: a session for each renewal's
/// carrier and account (sessions and tokens are never journaled) and, for renewals whose charge never reached the
/// gateway, the payment method (card data is never journaled either).
/// </summary>
public sealed class SettleRenewalsOptions
{
    /// <summary>
    /// Signs in for a renewal's carrier and account; <see langword="null"/> when the app cannot (the renewal is left
    /// unfinished for a later run). Called once per carrier and account, however many renewals share them.
    /// </summary>
    public required Func<RenewalRecord, CancellationToken, ValueTask<DataRenewSession?>> SessionFor { get; init; }

    /// <summary>The payment method a renewal started with, if the app still has it (compare <see cref="RenewalRecord.Payment"/>).</summary>
    public Func<RenewalRecord, PaymentMethod?>? PaymentMethodFor { get; init; }

    /// <summary>
    /// A renewal whose charge never reached the gateway, and whose payment method the app no longer has, is abandoned
    /// (<see cref="RenewalFailureKind.Abandoned"/>: no money moved) rather than left unfinished. Default <see langword="true"/>.
    /// </summary>
    public bool AbandonUnpaid { get; init; } = true;

    /// <summary>Renewals driven side by side (each may first wait out the lease a crashed process left). Default 4.</summary>
    public int MaxConcurrency { get; init; } = 4;
}

/// <summary>One renewal after <see cref="DataRenewClient.SettleUnfinishedRenewalsAsync"/>: its last record, and why it is not final if it is not.</summary>
/// <param name="Record">The renewal's last record: final unless <paramref name="Error"/> says why not.</param>
/// <param name="Error">
/// What stopped it (no session, the carrier unreachable past the retries): usually a <see cref="DataRenewException"/>, but
/// whatever the app's own code (sign-in, payment gateway, journal) threw comes back here too rather than ending the
/// whole run; <see langword="null"/> when settled.
/// </param>
public sealed record RenewalSettlement(RenewalRecord Record, Exception? Error)
{
    /// <summary>Whether the renewal reached a final state (Completed, Failed or NeedsAttention).</summary>
    public bool IsSettled => Record.IsFinal;
}
