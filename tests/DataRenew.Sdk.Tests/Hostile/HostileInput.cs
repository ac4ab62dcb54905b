using System.Text;
using FsCheck;
using FsCheck.Fluent;

namespace DataRenew.Sdk.Tests.Hostile;

/// <summary>A string built to break a parser of outside input.</summary>
public sealed record HostileText(string Value)
{
    /// <summary>Escaped, so that a failing case prints readably (nulls, RTL marks, surrogates).</summary>
    public override string ToString()
    {
        var shown = Value.Length > 200 ? Value[..200] + $"…({Value.Length} chars)" : Value;
        var sb = new StringBuilder();
        foreach (var c in shown)
        {
            sb.Append(c is >= ' ' and <= '~' ? c.ToString() : $"\\u{(int)c:X4}");
        }

        return sb.ToString();
    }
}

/// <summary>
/// FsCheck generators of adversarial text: valid inputs of every parser, mutated with unicode and full-width digits,
/// RTL and zero-width marks, nulls, control characters, signs, exponents, 10^30 numbers, separators, lone surrogates
/// and huge repetitions; plus plain random strings.
/// </summary>
public static class HostileInput
{
    private static readonly string[] Valid =
    [
        // phone numbers
        "(202) 555-0143", "+1 202 555 0143", "12025550143", "+442071838750", "202.555.0143",
        // ICCIDs (Luhn-valid) and card numbers
        "8914800000000000007", "89148000000000000001", "4242424242424242", "4242 4242 4242 4242", "5555-5555-5555-4444",
        "378282246310005", "6011111111111117", "3566002020360505",
        // money
        "30.00 USD", "USD 30.00", "$30.00", "$1,234.50", "-$5.00", "12 JPY", "0.125 KWD",
        // data sizes
        "5 GB", "5GB", "1.5 GiB", "500 MB", "1024 KiB", "300 B", "unlimited", "9000 TB",
        // plan codes
        "M2M10GB", "ATT 10GB", "tm-10gb-30d",
    ];

    private static readonly string[] Tokens =
    [
        "0", "1", "2", "9", "00", ".", ",", "-", "+", "$", " ", "  ", "\t", "\n", "\r\n", "(", ")", "/", "e", "E", "E+30", "e-5",
        "1e30", "1000000000000000000000000000000", "79228162514264337593543950336", "-0", "NaN", "Infinity", "∞",
        "\u0663", "\u0966", "\u09EA", "\uFF10", "\uFF11", "\uFF19", "\uFF0B", "\uFF04", // Arabic-Indic, Devanagari, Bengali, full-width digits/+/$
        "\u200F", "\u200E", "\u202E", "\u2066", "\u200B", "\uFEFF", "\u00A0", "\u2007", "\u3000", // RTL/LTR, zero-width, BOM, non-breaking and ideographic spaces
        "\0", "\u0001", "\u007F", "\u0085", "\uD800", "\uDC00", "😀", "\u0301", "ß", "İ", "K", // nulls, controls, lone surrogates, emoji, combining mark, Kelvin sign
        "GB", "gib", "TB", "B", "KB", "bytes", "unlimited", "USD", "usd", "EUR", "JPY", "U$D", "89", "4242", "+1", "911", "555",
        "'", "\"", "<", "%", "{", "\\", "%n", "{0}",
    ];

    private static Gen<string> Token => Gen.Elements(Tokens);

    private static Gen<(int, int, string)> Edit =>
        from kind in Gen.Choose(0, 3)
        from at in Gen.Choose(0, 1000)
        from token in Token
        select (kind, at, token);

    private static Gen<string> Mutated =>
        from seed in Gen.Elements(Valid)
        from edits in Gen.ListOf(Edit).Resize(4)
        select edits.ToArray().Aggregate(seed, (s, e) =>
        {
            var at = s.Length == 0 ? 0 : e.Item2 % (s.Length + 1);
            return e.Item1 switch
            {
                0 => s.Insert(at, e.Item3),
                1 when at < s.Length => s.Remove(at, 1),
                2 when at < s.Length => s.Remove(at, 1).Insert(at, e.Item3),
                _ => e.Item3 + s + e.Item3,
            };
        });

    private static Gen<string> Tokenised => Gen.ListOf(Token).Select(string.Concat);

    private static Gen<string> Huge =>
        from piece in Gen.OneOf(Token, Gen.Elements(Valid))
        from times in Gen.Elements(100, 1_000, 100_000)
        select string.Concat(Enumerable.Repeat(piece, times));

    private static Gen<string> Random => ArbMap.Default.GeneratorFor<string>().Select(s => s ?? string.Empty);

    /// <summary>The mix: mostly mutated valid input, some token soup, some random and a few huge strings.</summary>
    public static Arbitrary<HostileText> Text() => Arb.From(
        Gen.Frequency(
            (50, Mutated),
            (25, Tokenised),
            (15, Random),
            (5, Gen.Elements(Valid)),
            (2, Huge),
            (1, Gen.Constant(string.Empty)),
            (1, Gen.Constant<string>(null!)))
        .Select(s => new HostileText(s)));
}
