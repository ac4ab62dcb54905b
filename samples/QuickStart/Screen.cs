using System.Globalization;
using DataRenew.Sdk;
using DataRenew.Sdk.Payments;
using DataRenew.Sdk.Renewal;

namespace QuickStart;

/// <summary>How the quick start shows each step to a person. Nothing here calls the SDK.</summary>
internal static class Screen
{
    private static readonly CultureInfo Us = CultureInfo.GetCultureInfo("en-US");

    public static void SignedIn(DataRenewSession session)
    {
        Heading("1  Sign in");
        var how = session.CarrierSession.Subscriber is { } number ? $"with a one-time code sent to {number}" : "with a password";
        Console.WriteLine($"   Signed in to {session.Account.DisplayName} ({session.Account.MaskedAccountId}) at {session.Carrier} {how}.");
    }

    public static void Overview(LineOverview overview)
    {
        var usage = overview.Usage;
        var line = overview.Line;
        Heading("2  Your line");
        Console.WriteLine($"   {(line.SimKind == SimKind.ESim ? "eSIM" : "SIM")} {line.Id.ToMaskedString()}   number {line.PhoneNumber?.ToString() ?? "—"}   {line.Status}");
        Console.WriteLine($"   Plan      {overview.CurrentPlan?.Name ?? line.CurrentPlan.Value}   {overview.CurrentPlan?.Price.ToString() ?? string.Empty}");
        Console.WriteLine($"   Used      {Bar(usage.FractionUsed)} {usage.Used} of {usage.Allowance}");
        Console.WriteLine($"   Left      {usage.Remaining}, until {Date(usage.CycleEnd)} ({DaysLeft(usage.CycleEnd, usage.AsOf)})");
        if (usage.NextChargeDate is { } next)
        {
            Console.WriteLine($"   Next charge {Date(next)}");
        }

        Console.WriteLine($"   (as of {usage.AsOf.ToLocalTime().ToString("g", Us)})");
    }

    public static void Options(IReadOnlyList<RenewalOption> options, RenewalQuote quote)
    {
        Heading("3  Choose a plan");
        Console.WriteLine($"   {"Plan",-22} {"Data",-10} {"Price",9}  Promotion");
        Console.WriteLine($"   {new string('─', 22)} {new string('─', 10)} {new string('─', 9)}  {new string('─', 30)}");
        foreach (var option in options)
        {
            var chosen = option.Plan.Code == quote.Plan.Code ? "▶" : " ";
            var promo = option.AppliedPromotions.Count == 0
                ? string.Empty
                : string.Join("; ", option.AppliedPromotions.Select(p => p.Name)) + (option.Savings.Amount > 0 ? $" (was {option.Plan.Price})" : string.Empty);
            Console.WriteLine($" {chosen} {option.Plan.Name,-22} {option.Data,-10} {option.Price,9}  {promo}");
        }

        Console.WriteLine($"   Quote: {quote.Plan.Name} for {quote.Price}, valid until {quote.ExpiresAt.ToLocalTime().ToString("t", Us)}.");
    }

    public static void Payment(PaymentMethod method, RenewalQuote quote)
    {
        Heading("4  Pay");
        Console.WriteLine($"   {quote.Price} with {method}");
    }

    /// <summary>Reports each state as it is written (Progress&lt;T&gt; would print later, on the thread pool).</summary>
    public static IProgress<RenewalRecord> StatusUpdates { get; } = new Inline();

    public static void Status(RenewalRecord record)
    {
        var text = record.State switch
        {
            RenewalState.Started => "Renewal recorded",
            RenewalState.Charging => "Charging the card…",
            RenewalState.AwaitingPayerAction => $"Waiting for your approval: {record.PayerAction?.Payload}",
            RenewalState.PaymentProcessing => "Payment processing…",
            RenewalState.Paid => "Paid",
            RenewalState.Ordering => "Sending the order to the carrier…",
            RenewalState.Confirming => $"Carrier accepted order {record.Order?.OrderId}; waiting for it to apply…",
            RenewalState.Refunding => "The carrier refused; refunding…",
            _ => record.State.ToString(),
        };
        Console.WriteLine($"   {record.UpdatedAt.ToLocalTime().ToString("HH:mm:ss", Us)}  {text}");
    }

    public static void Outcome(RenewalRecord record)
    {
        Heading("5  Confirmation");
        if (record.Receipt is { } receipt)
        {
            Console.WriteLine("   ✔ Renewed.");
            Console.WriteLine($"   Confirmation   {receipt.ConfirmationNumber}");
            Console.WriteLine($"   Order          {receipt.CarrierOrderId}");
            Console.WriteLine($"   Plan           {receipt.Plan.Name}");
            Console.WriteLine($"   Paid           {receipt.Amount} with {receipt.Payment}");
            Console.WriteLine($"   Takes effect   {receipt.EffectiveAt.ToLocalTime().ToString("g", Us)}");
            Console.WriteLine($"   Renewal id     {receipt.RenewalId}");
            Console.WriteLine($"   Questions?     {receipt.SupportContact}");
            return;
        }

        Console.WriteLine($"   ✘ {record.State}: {record.Failure?.Message}");
        if (record.WasRefunded)
        {
            Console.WriteLine($"   Your payment was refunded ({record.RefundId}).");
        }

        Console.WriteLine($"   Renewal id {record.Id}");
    }

    public static void Error(DataRenewException ex)
    {
        Console.WriteLine();
        Console.WriteLine($"   ✘ {ex.Message}");
    }

    private sealed class Inline : IProgress<RenewalRecord>
    {
        public void Report(RenewalRecord value) => Status(value);
    }

    private static void Heading(string text)
    {
        Console.WriteLine();
        Console.WriteLine(text);
    }

    private static string Bar(double fraction, int width = 24)
    {
        var filled = (int)Math.Round(fraction * width);
        return "[" + new string('█', filled) + new string('░', width - filled) + "]";
    }

    private static string Date(DateTimeOffset when) => when.ToLocalTime().ToString("ddd d MMM", Us);

    private static string DaysLeft(DateTimeOffset end, DateTimeOffset now)
    {
        var days = (int)Math.Ceiling((end - now).TotalDays);
        return days == 1 ? "1 day left" : $"{days} days left";
    }
}
