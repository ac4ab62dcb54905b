using System.Globalization;
using System.Text.RegularExpressions;
using BenchmarkDotNet.Attributes;
using DataRenew.Sdk;

namespace DataRenew.Sdk.Benchmarks;

/// <summary>
/// Parsing outside input is on every call path (phone numbers, data sizes from carriers). Baseline: the
/// regular-expression parsing an app would write by hand, side by side with the SDK's span parsers.
/// </summary>
[MemoryDiagnoser]
public partial class PhoneNumberParsing
{
    private static readonly string[] Inputs = ["(202) 555-0143", "202-555-0143", "+1 202 555 0143", "1 202 555 0143", "+44 20 7946 0958"];

    [Benchmark(Baseline = true)]
    public int Regex_normalisation()
    {
        var n = 0;
        foreach (var input in Inputs)
        {
            var digits = NonDigits().Replace(input, string.Empty);
            var e164 = input.TrimStart().StartsWith('+') ? "+" + digits : digits.Length == 10 ? "+1" + digits : "+" + digits;
            n += Nanp().IsMatch(e164) || Other().IsMatch(e164) ? e164.Length : 0;
        }

        return n;
    }

    [Benchmark]
    public int Sdk_PhoneNumber_Parse()
    {
        var n = 0;
        foreach (var input in Inputs)
        {
            n += PhoneNumber.Parse(input).E164.Length;
        }

        return n;
    }

    [GeneratedRegex("[^0-9]")]
    private static partial Regex NonDigits();

    [GeneratedRegex("^\\+1[2-9][0-9]{2}[2-9][0-9]{6}$")]
    private static partial Regex Nanp();

    [GeneratedRegex("^\\+[1-9][0-9]{7,14}$")]
    private static partial Regex Other();
}

/// <summary>Data sizes as carriers and people write them.</summary>
[MemoryDiagnoser]
public partial class DataAmountParsing
{
    private static readonly string[] Inputs = ["5 GB", "1.5GiB", "500 MB", "1024 KiB", "unlimited", "12345 B"];

    [Benchmark(Baseline = true)]
    public long Regex_parse()
    {
        long n = 0;
        foreach (var input in Inputs)
        {
            if (input.Equals("unlimited", StringComparison.OrdinalIgnoreCase))
            {
                n += 1;
                continue;
            }

            var m = Size().Match(input);
            var factor = m.Groups[2].Value.ToUpperInvariant() switch
            {
                "B" => 1m, "KB" => 1e3m, "MB" => 1e6m, "GB" => 1e9m, "KIB" => 1024m, "MIB" => 1048576m, "GIB" => 1073741824m, _ => 0m,
            };
            n += (long)(decimal.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) * factor);
        }

        return n;
    }

    [Benchmark]
    public long Sdk_DataAmount_Parse()
    {
        long n = 0;
        foreach (var input in Inputs)
        {
            var amount = DataAmount.Parse(input);
            n += amount.IsUnlimited ? 1 : amount.Bytes;
        }

        return n;
    }

    [GeneratedRegex("^\\s*([0-9]+(?:\\.[0-9]+)?)\\s*([A-Za-z]+)\\s*$")]
    private static partial Regex Size();
}
