using DataRenew.Sdk.AdapterKit;

namespace DataRenew.Sdk.Carriers.TMobile;

/// <summary>
/// Settings of the T-Mobile-style adapter (TAAP-like proof-of-possession auth, TM Forum resources). Bound from
/// configuration (for example <c>DataRenew:TMobile</c>) or set in code. <see cref="ClientSecret"/> and
/// <see cref="PrivateKeyPem"/> are secrets: <see cref="ToString"/> and the validation messages never show them.
/// </summary>
public sealed class TMobileOptions : CarrierHttpOptions
{
    /// <summary>The client id the carrier issued.</summary>
    public string? ClientId { get; set; }

    /// <summary>The client secret the carrier issued. Secret.</summary>
    public string? ClientSecret { get; set; }

    /// <summary>
    /// The client's RSA private key in PEM (PKCS#8 <c>PRIVATE KEY</c> or PKCS#1 <c>RSA PRIVATE KEY</c>), 2048 bits or more,
    /// whose public key the carrier holds; it signs the proof-of-possession token of every request. Secret.
    /// </summary>
    public string? PrivateKeyPem { get; set; }

    /// <summary>How long each proof-of-possession token is valid. Default and at most 60 s.</summary>
    public TimeSpan PopTokenLifetime { get; set; } = ProofOfPossessionSigner.MaxLifetime;

    /// <summary>
    /// The secret the hub was registered with: every <c>topupBalanceStateChangeEvent</c> must carry
    /// <c>X-Signature: sha256=&lt;hex HMAC-SHA256 of the raw body with it&gt;</c>. Hub events are refused (not configured)
    /// while it is unset. Secret.
    /// </summary>
    public string? HubSecret { get; set; }

    /// <summary>The support contact shown on receipts and on renewals that need attention.</summary>
    public string SupportContact { get; set; } = string.Empty;

    /// <inheritdoc />
    public override IEnumerable<string> Validate(TimeSpan leaseDuration)
    {
        foreach (var problem in base.Validate(leaseDuration))
        {
            yield return problem;
        }

        if (string.IsNullOrWhiteSpace(ClientId))
        {
            yield return "ClientId must be set.";
        }

        if (string.IsNullOrWhiteSpace(ClientSecret))
        {
            yield return "ClientSecret must be set.";
        }

        if (PopTokenLifetime <= TimeSpan.Zero || PopTokenLifetime > ProofOfPossessionSigner.MaxLifetime)
        {
            yield return "PopTokenLifetime must be more than 0 and at most 60 seconds.";
        }

        if (KeyProblem() is { } keyProblem)
        {
            yield return keyProblem;
        }
    }

    /// <summary>Names the carrier and the client id; never the secret or the key.</summary>
    public override string ToString() => $"T-Mobile-style adapter at {BaseAddress?.GetLeftPart(UriPartial.Authority) ?? "(no address)"} for client {ClientId ?? "(none)"} (secrets and key hidden)";

    private string? KeyProblem()
    {
        try
        {
            using var key = ProofOfPossessionSigner.LoadPem(PrivateKeyPem!);
            return key.KeySize < 2048 ? $"PrivateKeyPem must be an RSA key of 2048 bits or more (it has {key.KeySize})." : null;
        }
        catch (ArgumentException ex)
        {
            return "PrivateKeyPem: " + ex.Message.Split(" (Parameter", 2)[0];
        }
    }
}
