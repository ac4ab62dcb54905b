using System.Text.RegularExpressions;
using DataRenew.Sdk.Payments;
using FsCheck.Xunit;

namespace DataRenew.Sdk.Tests.Hostile;

/// <summary>
/// Every parser of outside input, fed adversarial text: it gives a typed <see cref="DataRenewValidationException"/>
/// (and a false TryParse), or a valid value that round-trips — nothing else. Fixed seed, a few thousand cases each.
/// </summary>
public sealed partial class ParserPropertyTests
{
    private const int Cases = 3000;
    private const string Seed = "(20261127,4383)";

    [Property(MaxTest = Cases, Replay = Seed, Arbitrary = [typeof(HostileInput)])]
    public void Phone_numbers_parse_to_E164_that_round_trips_or_fail_typed(HostileText input)
    {
        var s = input.Value;
        var parsed = Outcome(() => PhoneNumber.Parse(s));
        Assert.Equal(parsed.Ok, PhoneNumber.TryParse(s, out var tried));
        if (!parsed.Ok)
        {
            return;
        }

        Assert.Equal(parsed.Value, tried);
        Assert.Matches(E164(), parsed.Value.E164);
        Assert.Equal(parsed.Value, PhoneNumber.Parse(parsed.Value.E164));
        Assert.DoesNotContain(parsed.Value.E164[2..^4], parsed.Value.ToString(), StringComparison.Ordinal);
    }

    [Property(MaxTest = Cases, Replay = Seed, Arbitrary = [typeof(HostileInput)])]
    public void ICCIDs_parse_to_checked_digits_that_round_trip_or_fail_typed(HostileText input)
    {
        var s = input.Value;
        var parsed = Outcome(() => Iccid.Parse(s));
        Assert.Equal(parsed.Ok, Iccid.TryParse(s, out var tried));
        if (!parsed.Ok)
        {
            return;
        }

        Assert.Equal(parsed.Value, tried);
        Assert.Matches(IccidDigits(), parsed.Value.Value);
        Assert.Equal(parsed.Value, Iccid.Parse(parsed.Value.Value));
    }

    [Property(MaxTest = Cases, Replay = Seed, Arbitrary = [typeof(HostileInput)])]
    public void Card_numbers_give_a_Luhn_valid_card_or_a_typed_error_that_never_echoes_them(HostileText input)
    {
        var s = input.Value;
        var made = Outcome(() => PaymentMethod.CreditCard(s, 12, 2030, "123"));
        if (!made.Ok)
        {
            var digits = new string((s ?? string.Empty).Where(char.IsAsciiDigit).ToArray());
            if (digits.Length >= 8)
            {
                Assert.DoesNotContain(digits, made.Error!.ToString(), StringComparison.Ordinal);
                Assert.DoesNotContain(s!, made.Error!.ToString(), StringComparison.Ordinal);
            }

            return;
        }

        var number = made.Value.RevealNumber();
        Assert.Matches(CardDigits(), number);
        Assert.Equal(number[^4..], made.Value.Last4);
        Assert.Equal(number, PaymentMethod.CreditCard(number, 12, 2030, "123").RevealNumber());
        Assert.DoesNotContain(number, made.Value.ToString(), StringComparison.Ordinal);
    }

    [Property(MaxTest = Cases, Replay = Seed, Arbitrary = [typeof(HostileInput)])]
    public void CVVs_and_expiry_months_are_checked_with_typed_errors(HostileText input, int month, int year)
    {
        var made = Outcome(() => PaymentMethod.CreditCard("4242424242424242", month, year, input.Value));
        if (made.Ok)
        {
            Assert.Matches(CvvDigits(), made.Value.RevealCvv());
            Assert.InRange(made.Value.ExpiryMonth, 1, 12);
            Assert.DoesNotContain(made.Value.RevealCvv(), made.Value.ToString(), StringComparison.Ordinal);
        }
        else
        {
            Assert.DoesNotContain("4242424242424242", made.Error!.ToString(), StringComparison.Ordinal);
        }
    }

    [Property(MaxTest = Cases, Replay = Seed, Arbitrary = [typeof(HostileInput)])]
    public void Money_parses_to_an_amount_that_round_trips_or_fails_typed(HostileText input)
    {
        var s = input.Value;
        var parsed = Outcome(() => Money.Parse(s));
        Assert.Equal(parsed.Ok, Money.TryParse(s, out var tried));
        if (!parsed.Ok)
        {
            return;
        }

        Assert.Equal(parsed.Value, tried);
        Assert.Matches(Currency(), parsed.Value.Currency);
        Assert.Equal(parsed.Value, Money.Parse(parsed.Value.ToString()));
    }

    [Theory]
    [InlineData("USD 30.07009228162514264337593539503360")]
    [InlineData("$0.00000000001")]
    public void Money_with_more_decimals_than_it_can_print_is_refused_rather_than_silently_changed(string text)
    {
        Assert.Throws<DataRenewValidationException>(() => Money.Parse(text));
        Assert.False(Money.TryParse(text, out _));
    }

    [Property(MaxTest = Cases, Replay = Seed, Arbitrary = [typeof(HostileInput)])]
    public void Money_is_created_only_with_a_three_letter_currency(HostileText input, decimal amount)
    {
        var made = Outcome(() => new Money(amount, input.Value));
        if (made.Ok)
        {
            Assert.Matches(Currency(), made.Value.Currency);

            // ToString shows up to 10 decimals; an amount made in code with more is printed rounded (by design).
            if (amount.Scale <= 10)
            {
                Assert.Equal(made.Value, Money.Parse(made.Value.ToString()));
            }
        }
    }

    [Property(MaxTest = Cases, Replay = Seed, Arbitrary = [typeof(HostileInput)])]
    public void Data_sizes_parse_to_bytes_that_round_trip_or_fail_typed(HostileText input)
    {
        var s = input.Value;
        var parsed = Outcome(() => DataAmount.Parse(s));
        Assert.Equal(parsed.Ok, DataAmount.TryParse(s, out var tried));
        if (!parsed.Ok)
        {
            return;
        }

        Assert.Equal(parsed.Value, tried);
        Assert.True(parsed.Value.IsUnlimited || parsed.Value.Bytes >= 0);
        Assert.Equal(parsed.Value, DataAmount.Parse(parsed.Value.ToString(DataUnit.Byte)));
        Assert.True(DataAmount.TryParse(parsed.Value.ToString(), out _), parsed.Value.ToString());
    }

    [Property(MaxTest = Cases, Replay = Seed, Arbitrary = [typeof(HostileInput)])]
    public void Plan_codes_are_printable_trimmed_and_kept_exactly_or_fail_typed(HostileText input)
    {
        var s = input.Value;
        var made = Outcome(() => new PlanCode(s));
        if (!made.Ok)
        {
            return;
        }

        Assert.Equal(s, made.Value.Value);
        Assert.InRange(s.Length, 1, 100);
        Assert.DoesNotContain(s, char.IsControl);
        Assert.Equal(made.Value, new PlanCode(made.Value.Value));
    }

    [Property(MaxTest = Cases, Replay = Seed, Arbitrary = [typeof(HostileInput)])]
    public void Renewal_ids_parse_and_round_trip_or_fail_typed(HostileText input)
    {
        var parsed = Outcome(() => RenewalId.Parse(input.Value));
        Assert.Equal(parsed.Ok, RenewalId.TryParse(input.Value, out var tried));
        if (parsed.Ok)
        {
            Assert.Equal(parsed.Value, tried);
            Assert.Equal(parsed.Value, RenewalId.Parse(parsed.Value.Value));
        }
    }

    /// <summary>Runs a parser: its value, or its <see cref="DataRenewValidationException"/>; any other exception fails the case.</summary>
    private static (bool Ok, T Value, DataRenewValidationException? Error) Outcome<T>(Func<T> parse)
    {
        try
        {
            return (true, parse(), null);
        }
        catch (DataRenewValidationException e)
        {
            Assert.False(string.IsNullOrWhiteSpace(e.Message));
            return (false, default!, e);
        }
    }

    [GeneratedRegex(@"^\+[1-9][0-9]{7,14}$")]
    private static partial Regex E164();

    [GeneratedRegex("^89[0-9]{17,18}$")]
    private static partial Regex IccidDigits();

    [GeneratedRegex("^[0-9]{12,19}$")]
    private static partial Regex CardDigits();

    [GeneratedRegex("^[0-9]{3,4}$")]
    private static partial Regex CvvDigits();

    [GeneratedRegex("^[A-Z]{3}$")]
    private static partial Regex Currency();
}
