namespace DataRenew.Sdk;

/// <summary>Username and password. <see cref="ToString"/> never shows the password.</summary>
public sealed class PasswordCredentials
{
    private readonly string _password;

    /// <summary>Creates credentials.</summary>
    /// <exception cref="DataRenewValidationException">The username or the password is empty.</exception>
    public PasswordCredentials(string username, string password)
    {
        Username = string.IsNullOrWhiteSpace(username) || username.Length > 256
            ? throw new DataRenewValidationException(nameof(username), "A username is required (at most 256 characters).")
            : username;
        _password = string.IsNullOrEmpty(password) || password.Length > 1024
            ? throw new DataRenewValidationException(nameof(password), "A password is required (at most 1024 characters).")
            : password;
    }

    /// <summary>The username.</summary>
    public string Username { get; }

    /// <summary>The password, for the adapter to send. Never log it.</summary>
    public string RevealPassword() => _password;

    /// <summary>The username only.</summary>
    public override string ToString() => $"{Username} (password hidden)";
}

/// <summary>A one-time code as the person typed it: 4 to 10 digits. <see cref="ToString"/> hides it.</summary>
public readonly struct OneTimeCode
{
    private readonly string? _code;

    /// <summary>Creates a code; surrounding spaces, and a single space or dash between digit groups (<c>123-456</c>), are removed.</summary>
    /// <exception cref="DataRenewValidationException">It is not 4 to 10 digits.</exception>
    public OneTimeCode(string code)
    {
        code = code?.Trim() ?? string.Empty;
        var digits = code.Length <= 32 && IsGroupedDigits(code) ? code.Replace(" ", string.Empty, StringComparison.Ordinal).Replace("-", string.Empty, StringComparison.Ordinal) : null;
        _code = digits is { Length: >= 4 and <= 10 } && digits.All(char.IsAsciiDigit)
            ? digits
            : throw new DataRenewValidationException(nameof(code), "A one-time code is 4 to 10 digits.");
    }

    // Digits, with single separators only between them: "123456", "123 456", "12-34-56".
    private static bool IsGroupedDigits(string code)
    {
        for (var i = 0; i < code.Length; i++)
        {
            if (!char.IsAsciiDigit(code[i]) && (code[i] is not (' ' or '-') || i == 0 || i == code.Length - 1 || !char.IsAsciiDigit(code[i - 1])))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The code, for the adapter to send. Never log it.</summary>
    public string Reveal() => _code ?? string.Empty;

    /// <summary>Always <c>******</c>.</summary>
    public override string ToString() => "******";
}

/// <summary>A one-time code was sent; verify it with the code the person received.</summary>
/// <param name="Carrier">The carrier that sent it.</param>
/// <param name="PhoneNumber">Where it was sent.</param>
/// <param name="ChallengeId">The carrier's id for the challenge, when it has one.</param>
/// <param name="ExpiresAt">When the code stops working, when the carrier says.</param>
public sealed record OneTimeCodeChallenge(CarrierId Carrier, PhoneNumber PhoneNumber, string ChallengeId, DateTimeOffset? ExpiresAt);
