namespace DataRenew.Sdk;

/// <summary>The Luhn (mod 10) check used by ICCIDs and card numbers.</summary>
internal static class Luhn
{
    public static bool IsValid(ReadOnlySpan<char> digits)
    {
        var sum = 0;
        var doubleIt = false;
        for (var i = digits.Length - 1; i >= 0; i--)
        {
            var d = digits[i] - '0';
            if (doubleIt)
            {
                d *= 2;
                if (d > 9)
                {
                    d -= 9;
                }
            }

            sum += d;
            doubleIt = !doubleIt;
        }

        return sum % 10 == 0;
    }

    /// <summary>Removes the spaces and dashes people type between digit groups; <see langword="null"/> if anything else is not a digit.</summary>
    public static string? DigitsOnly(string? text, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Length > maxLength * 2)
        {
            return null;
        }

        Span<char> buffer = stackalloc char[text.Length];
        var n = 0;
        foreach (var c in text)
        {
            if (char.IsAsciiDigit(c))
            {
                buffer[n++] = c;
            }
            else if (c != '-' && !char.IsWhiteSpace(c))
            {
                return null;
            }
        }

        return n is 0 || n > maxLength ? null : new string(buffer[..n]);
    }
}
