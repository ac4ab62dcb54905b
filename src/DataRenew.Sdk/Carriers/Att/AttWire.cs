using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace DataRenew.Sdk.Carriers.Att;

// The AT&T-style wire types. Unknown fields are ignored; every field is optional on the wire and checked where it is used.

internal sealed class AttDeviceList
{
    public List<AttDeviceSummary?>? Devices { get; set; }

    public int? PageNumber { get; set; }

    public bool? LastPage { get; set; }
}

internal sealed class AttDeviceSummary
{
    public string? Iccid { get; set; }

    public string? Status { get; set; }

    public string? RatePlan { get; set; }

    public string? CommunicationPlan { get; set; }
}

internal sealed class AttDevice
{
    public string? Iccid { get; set; }

    public string? Msisdn { get; set; }

    public string? Status { get; set; }

    public string? RatePlan { get; set; }

    public string? CommunicationPlan { get; set; }

    public string? DateActivated { get; set; }

    public string? AccountId { get; set; }
}

internal sealed class AttUsage
{
    public string? Iccid { get; set; }

    public string? RatePlan { get; set; }

    public decimal? CtdDataUsage { get; set; }
}

internal sealed class AttRatePlanList
{
    public List<AttRatePlan?>? RatePlans { get; set; }
}

internal sealed class AttRatePlan
{
    public string? Name { get; set; }

    public decimal? DataAllowanceMb { get; set; }

    [JsonConverter(typeof(AttLenientStringConverter))]
    public string? PriceUsd { get; set; }

    public int? ValidityDays { get; set; }

    public bool? Unlimited { get; set; }
}

internal sealed class AttPlanChange
{
    public required string RatePlan { get; init; }

    public required string EffectiveDate { get; init; }
}

internal sealed class AttError
{
    public string? ErrorMessage { get; set; }

    [JsonConverter(typeof(AttLenientStringConverter))]
    public string? ErrorCode { get; set; }
}

/// <summary>Reads a value the carrier documents as a string but may send as a number (error codes, prices).</summary>
internal sealed class AttLenientStringConverter : JsonConverter<string?>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.String => reader.GetString(),
        JsonTokenType.Number => reader.TryGetDecimal(out var d) ? d.ToString(CultureInfo.InvariantCulture) : null,
        JsonTokenType.Null => null,
        _ => throw new JsonException("Expected a string or a number."),
    };

    public override void Write(Utf8JsonWriter writer, string? value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (value is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            writer.WriteStringValue(value);
        }
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, PropertyNameCaseInsensitive = true, NumberHandling = JsonNumberHandling.AllowReadingFromString, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AttDeviceList))]
[JsonSerializable(typeof(AttDevice))]
[JsonSerializable(typeof(AttUsage))]
[JsonSerializable(typeof(AttRatePlanList))]
[JsonSerializable(typeof(AttPlanChange))]
[JsonSerializable(typeof(AttError))]
internal sealed partial class AttJsonContext : JsonSerializerContext;

/// <summary>Control Center's date-time format: <c>yyyy-MM-dd HH:mm:ss.fff</c> and an offset without a colon (<c>+0000</c>).</summary>
internal static class AttDates
{
    private const string Format = "yyyy-MM-dd HH:mm:ss.fffzzz";

    public static bool TryParse(string? text, out DateTimeOffset value)
    {
        value = default;
        if (text is not { Length: 28 } || text[23] is not ('+' or '-'))
        {
            return false;
        }

        // "2026-01-02 03:04:05.678+0000" → insert the colon .NET's "zzz" reads.
        var withColon = string.Concat(text.AsSpan(0, 26), ":", text.AsSpan(26));
        return DateTimeOffset.TryParseExact(withColon, Format, CultureInfo.InvariantCulture, DateTimeStyles.None, out value);
    }

    /// <summary>ISO 8601 with its offset, as <c>modifiedSince</c> takes it (the caller percent-encodes it).</summary>
    public static string ToIso8601(DateTimeOffset value) => value.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
}
