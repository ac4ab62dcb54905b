namespace DataRenew.Sdk.Tests.Adapters;

/// <summary>
/// ICCIDs as carriers report them, for the stubs' fleets (docs/carriers/README.md, "Identifiers are the carrier's"):
/// an issuer prefix, 19 or 20 digits, with a valid Luhn check digit or without one. The Luhn sum is the tests' own,
/// so that what the fixtures call "fails the check" does not depend on the SDK under test.
/// </summary>
internal static class StubIccids
{
    /// <summary>A new ICCID, not in <paramref name="taken"/> (and added to it).</summary>
    /// <param name="random">The fleet's seeded random source: the same seed gives the same ICCIDs.</param>
    /// <param name="prefix">The issuer's digits, e.g. <c>891480</c> (Verizon) or <c>890141</c> (AT&amp;T).</param>
    /// <param name="digits">19 or 20.</param>
    /// <param name="passesLuhn">Whether the last digit is the Luhn check digit of the others.</param>
    public static string Next(Random random, string prefix, int digits, bool passesLuhn, ISet<string> taken)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentNullException.ThrowIfNull(taken);
        while (true)
        {
            var body = prefix + string.Concat(Enumerable.Range(0, digits - 1 - prefix.Length).Select(_ => (char)('0' + random.Next(10))));
            var check = CheckDigit(body);

            // A failing last digit is any digit but the check digit, as a platform that drops or garbles it reports.
            var last = passesLuhn ? check : (check + 1 + random.Next(9)) % 10;
            var iccid = body + (char)('0' + last);
            if (taken.Add(iccid))
            {
                return iccid;
            }
        }
    }

    /// <summary>Whether the digits pass the Luhn (mod 10) check.</summary>
    public static bool PassesLuhn(string digits)
    {
        ArgumentNullException.ThrowIfNull(digits);
        return digits.Length > 1 && digits.All(char.IsAsciiDigit) && CheckDigit(digits[..^1]) == digits[^1] - '0';
    }

    // The digit that makes body + digit pass the Luhn check: double every second digit from the right of the whole.
    private static int CheckDigit(string body)
    {
        var sum = 0;
        for (var i = 0; i < body.Length; i++)
        {
            var d = body[body.Length - 1 - i] - '0';
            if (i % 2 == 0)
            {
                d = d * 2 > 9 ? (d * 2) - 9 : d * 2;
            }

            sum += d;
        }

        return (10 - (sum % 10)) % 10;
    }
}
