using Microsoft.Extensions.Options;

namespace DataRenew.Sdk;

/// <summary>How long the SDK waits and how it polls. The defaults suit carriers that apply a plan within minutes.</summary>
public sealed class DataRenewOptions
{
    /// <summary>How long a quote stays valid. Default 10 minutes.</summary>
    public TimeSpan QuoteLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// How long to wait for the carrier to confirm an order before the renewal needs attention. Default 30 minutes. Must be
    /// longer than <see cref="LeaseDuration"/>, which a client taking over after a crash waits out first.
    /// </summary>
    public TimeSpan ConfirmationTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>How long to wait for the payer to approve a payment before the renewal needs attention. Default 15 minutes.</summary>
    public TimeSpan PayerActionTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>The first wait between two status polls. Default 2 seconds.</summary>
    public TimeSpan PollInitialDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The longest wait between two status polls. Default 30 seconds.</summary>
    public TimeSpan PollMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How much each wait grows over the last. Default 2.</summary>
    public double PollBackoffFactor { get; set; } = 2.0;

    /// <summary>Spread each wait randomly by up to ±20 % so many clients do not poll in step. Default on.</summary>
    public bool PollJitter { get; set; } = true;

    /// <summary>
    /// How long a client that sent a charge, an order or a refund holds the renewal: other clients (another
    /// process resuming it) leave it alone meanwhile, since the request may still be on the wire. It must
    /// outlast the longest carrier or gateway call. A crashed client's renewal is taken over after it. Default 5 minutes.
    /// </summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The longest one call to the payment gateway may take (a charge, a read, a refund) before the SDK gives up on its
    /// answer and reads the outcome back later. Like the carriers' total timeout, it must stay well inside the lease (at
    /// most half of <see cref="LeaseDuration"/>), so no charge of this client is still on its way when another may take
    /// the renewal over. Default (<see langword="null"/>): 30 seconds, or half the lease when that is shorter.
    /// </summary>
    public TimeSpan? PaymentCallTimeout { get; set; }

    internal TimeSpan EffectivePaymentCallTimeout => PaymentCallTimeout ?? TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(30).Ticks, LeaseDuration.Ticks / 2));
}

/// <summary>Checks <see cref="DataRenewOptions"/> when the client is first built.</summary>
internal sealed class DataRenewOptionsValidator : IValidateOptions<DataRenewOptions>
{
    public ValidateOptionsResult Validate(string? name, DataRenewOptions options)
    {
        var failures = new List<string>();
        void Positive(TimeSpan value, string field, TimeSpan max)
        {
            if (value <= TimeSpan.Zero || value > max)
            {
                failures.Add($"{field} must be more than zero and at most {max}.");
            }
        }

        Positive(options.QuoteLifetime, nameof(options.QuoteLifetime), TimeSpan.FromDays(1));
        Positive(options.ConfirmationTimeout, nameof(options.ConfirmationTimeout), TimeSpan.FromDays(7));
        Positive(options.PayerActionTimeout, nameof(options.PayerActionTimeout), TimeSpan.FromDays(1));
        Positive(options.PollInitialDelay, nameof(options.PollInitialDelay), TimeSpan.FromHours(1));
        Positive(options.PollMaxDelay, nameof(options.PollMaxDelay), TimeSpan.FromHours(1));
        Positive(options.LeaseDuration, nameof(options.LeaseDuration), TimeSpan.FromHours(1));
        if (options.PaymentCallTimeout is { } paymentCall)
        {
            Positive(paymentCall, nameof(options.PaymentCallTimeout), TimeSpan.FromMinutes(30));
        }

        if (options.PaymentCallTimeout * 2 > options.LeaseDuration)
        {
            failures.Add($"{nameof(options.PaymentCallTimeout)} ({options.PaymentCallTimeout}) must be at most half of {nameof(options.LeaseDuration)} ({options.LeaseDuration}), so no charge is still on its way when another client may take the renewal over.");
        }

        if (options.PollMaxDelay < options.PollInitialDelay)
        {
            failures.Add($"{nameof(options.PollMaxDelay)} must be at least {nameof(options.PollInitialDelay)}.");
        }

        // A client taking over a crashed one's renewal first waits out its lease: a confirmation window no longer than the
        // lease would be spent before anyone looks, and the renewal would need attention although the carrier applied it.
        if (options.ConfirmationTimeout <= options.LeaseDuration)
        {
            failures.Add($"{nameof(options.ConfirmationTimeout)} ({options.ConfirmationTimeout}) must be longer than {nameof(options.LeaseDuration)} ({options.LeaseDuration}): a takeover after a crash waits out the lease first.");
        }

        if (!(options.PollBackoffFactor is >= 1.0 and <= 10.0))
        {
            failures.Add($"{nameof(options.PollBackoffFactor)} must be from 1 to 10.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
