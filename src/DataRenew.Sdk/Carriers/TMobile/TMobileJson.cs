using System.Text.Json;
using System.Text.Json.Serialization;

namespace DataRenew.Sdk.Carriers.TMobile;

// Wire types of the T-Mobile style (TM Forum TMF620 / TMF654 shapes). Unknown members are ignored; optional ones may be missing.

internal sealed class TmfError
{
    public string? Code { get; set; }

    public string? Reason { get; set; }

    public string? Message { get; set; }

    public string? ReferenceError { get; set; }

    public string? DeclineCode { get; set; }
}

internal sealed class TmfQuantity
{
    public decimal? Amount { get; set; }

    public string? Units { get; set; }
}

internal sealed class TmfTimePeriod
{
    public DateTimeOffset? StartDateTime { get; set; }

    public DateTimeOffset? EndDateTime { get; set; }
}

internal sealed class TmfRef
{
    public string? Id { get; set; }
}

internal sealed class TmfLogicalResource
{
    public string? Value { get; set; }

    [JsonPropertyName("@referredType")]
    public string? ReferredType { get; set; }
}

internal sealed class TmfBucket
{
    public string? Id { get; set; }

    public string? Name { get; set; }

    public TmfQuantity? RemainingValue { get; set; }

    public string? Status { get; set; }

    public string? UsageType { get; set; }

    public TmfTimePeriod? ValidFor { get; set; }

    public List<TmfRef>? Product { get; set; }

    public List<TmfLogicalResource>? LogicalResource { get; set; }
}

internal sealed class TmfProductOffering
{
    public string? Id { get; set; }

    public string? Name { get; set; }

    public string? LifecycleStatus { get; set; }

    public List<TmfOfferingPrice>? ProductOfferingPrice { get; set; }

    public List<TmfCharValueUse>? ProdSpecCharValueUse { get; set; }
}

internal sealed class TmfOfferingPrice
{
    public TmfPrice? Price { get; set; }

    public string? PriceType { get; set; }
}

internal sealed class TmfPrice
{
    public decimal? Value { get; set; }

    public string? Unit { get; set; }
}

internal sealed class TmfCharValueUse
{
    public string? Name { get; set; }

    public List<TmfCharValue>? ProductSpecCharacteristicValue { get; set; }
}

internal sealed class TmfCharValue
{
    public JsonElement Value { get; set; }
}

internal sealed class TmfPromotion
{
    public string? Id { get; set; }

    public string? Name { get; set; }

    public TmfTimePeriod? ValidFor { get; set; }

    public List<TmfPromotionPattern>? Pattern { get; set; }

    public List<JsonElement>? AppliesTo { get; set; }
}

internal sealed class TmfPromotionPattern
{
    public string? Action { get; set; }

    public JsonElement Value { get; set; }
}

internal sealed class TmfMoney
{
    public decimal Amount { get; set; }

    public string Units { get; set; } = string.Empty;
}

internal sealed class TmfPaymentMethod
{
    public string Type { get; set; } = string.Empty;

    public string? Token { get; set; }
}

internal sealed class TmfChannel
{
    public string Name { get; set; } = string.Empty;
}

/// <summary>The top-up request. Its members serialise in this order, with no timestamp: a retry sends the same bytes.</summary>
internal sealed class TmfTopupRequest
{
    public TmfRef Bucket { get; set; } = new();

    public List<TmfRef> Product { get; set; } = [];

    public TmfMoney Amount { get; set; } = new();

    public TmfPaymentMethod PaymentMethod { get; set; } = new();

    public List<TmfLogicalResource> LogicalResource { get; set; } = [];

    public TmfChannel Channel { get; set; } = new();
}

internal sealed class TmfPayerAction
{
    public string? Type { get; set; }

    public string? Url { get; set; }
}

internal sealed class TmfTopup
{
    public string? Id { get; set; }

    public string? Status { get; set; }

    public DateTimeOffset? ConfirmationDate { get; set; }

    public string? StatusChangeReason { get; set; }

    public TmfPayerAction? PayerAction { get; set; }
}

/// <summary>A hub event (TMF style): the top-up as it now stands travels in <c>event.topupBalance</c>.</summary>
internal sealed class TmfHubEvent
{
    public string? EventId { get; set; }

    public string? EventType { get; set; }

    public TmfHubEventBody? Event { get; set; }
}

internal sealed class TmfHubEventBody
{
    public TmfTopup? TopupBalance { get; set; }
}

/// <summary>A hub (event listener) registration, TMF style: <c>{"callback": url}</c> in, the same with an <c>id</c> back.</summary>
internal sealed class TmfHub
{
    public string? Id { get; set; }

    public string? Callback { get; set; }
}

internal sealed class TmfOtpRequest
{
    public string Msisdn { get; set; } = string.Empty;
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(TmfError))]
[JsonSerializable(typeof(TmfHub))]
[JsonSerializable(typeof(List<TmfBucket>))]
[JsonSerializable(typeof(List<TmfProductOffering>))]
[JsonSerializable(typeof(List<TmfPromotion>))]
[JsonSerializable(typeof(TmfTopupRequest))]
[JsonSerializable(typeof(TmfTopup))]
[JsonSerializable(typeof(TmfOtpRequest))]
[JsonSerializable(typeof(TmfHubEvent))]
internal sealed partial class TMobileJson : JsonSerializerContext;
