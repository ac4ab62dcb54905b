using System.Text.Json.Serialization;

namespace DataRenew.Sdk.Carriers.Verizon;

// Wire types of the Verizon style (ThingSpace-like). Internal; read tolerantly: unknown fields are ignored,
// optional ones may be missing, numbers may come as strings.

internal sealed class VzLoginRequest
{
    [JsonPropertyName("username")]
    public required string Username { get; init; }

    [JsonPropertyName("password")]
    public required string Password { get; init; }
}

internal sealed class VzLoginResponse
{
    [JsonPropertyName("sessionToken")]
    public string? SessionToken { get; set; }
}

internal sealed class VzAccount
{
    [JsonPropertyName("accountName")]
    public string? AccountName { get; set; }

    [JsonPropertyName("accountNumber")]
    public string? AccountNumber { get; set; }

    [JsonPropertyName("organizationName")]
    public string? OrganizationName { get; set; }
}

internal sealed class VzPlan
{
    [JsonPropertyName("name")]
    public string? Name { get; set; }

    [JsonPropertyName("code")]
    public string? Code { get; set; }

    [JsonPropertyName("sizeKb")]
    public decimal? SizeKb { get; set; }

    [JsonPropertyName("carrierServicePlanCode")]
    public string? CarrierServicePlanCode { get; set; }

    [JsonPropertyName("extendedAttributes")]
    public List<VzAttribute>? ExtendedAttributes { get; set; }
}

internal sealed class VzAttribute
{
    [JsonPropertyName("key")]
    public string? Key { get; set; }

    [JsonPropertyName("value")]
    public string? Value { get; set; }
}

internal sealed class VzDeviceId
{
    [JsonPropertyName("id")]
    public string? Id { get; set; }

    [JsonPropertyName("kind")]
    public string? Kind { get; set; }
}

internal sealed class VzDeviceListRequest
{
    [JsonPropertyName("accountName")]
    public required string AccountName { get; init; }

    [JsonPropertyName("deviceId")]
    public VzDeviceId? DeviceId { get; init; }

    [JsonPropertyName("largestDeviceIdSeen")]
    public string? LargestDeviceIdSeen { get; init; }

    [JsonPropertyName("maxNumberOfDevices")]
    public int? MaxNumberOfDevices { get; init; }
}

internal sealed class VzDeviceListResponse
{
    [JsonPropertyName("hasMoreData")]
    public bool? HasMoreData { get; set; }

    [JsonPropertyName("devices")]
    public List<VzDevice>? Devices { get; set; }
}

internal sealed class VzDevice
{
    [JsonPropertyName("accountName")]
    public string? AccountName { get; set; }

    [JsonPropertyName("billingCycleEndDate")]
    public DateTimeOffset? BillingCycleEndDate { get; set; }

    [JsonPropertyName("carrierInformations")]
    public List<VzCarrierInformation>? CarrierInformations { get; set; }

    [JsonPropertyName("deviceIds")]
    public List<VzDeviceId>? DeviceIds { get; set; }
}

internal sealed class VzCarrierInformation
{
    [JsonPropertyName("carrierName")]
    public string? CarrierName { get; set; }

    [JsonPropertyName("servicePlan")]
    public string? ServicePlan { get; set; }

    [JsonPropertyName("state")]
    public string? State { get; set; }
}

internal sealed class VzUsageRequest
{
    [JsonPropertyName("deviceId")]
    public required VzDeviceId DeviceId { get; init; }

    [JsonPropertyName("earliest")]
    public required string Earliest { get; init; }

    [JsonPropertyName("latest")]
    public required string Latest { get; init; }
}

internal sealed class VzUsageResponse
{
    [JsonPropertyName("hasMoreData")]
    public bool? HasMoreData { get; set; }

    [JsonPropertyName("usageHistory")]
    public List<VzUsageRecord>? UsageHistory { get; set; }
}

internal sealed class VzUsageRecord
{
    [JsonPropertyName("bytesUsed")]
    public decimal? BytesUsed { get; set; }

    [JsonPropertyName("timestamp")]
    public DateTimeOffset? Timestamp { get; set; }

    [JsonPropertyName("servicePlan")]
    public string? ServicePlan { get; set; }
}

internal sealed class VzPlanChangeRequest
{
    [JsonPropertyName("accountName")]
    public required string AccountName { get; init; }

    [JsonPropertyName("devices")]
    public required List<VzPlanChangeDevice> Devices { get; init; }

    [JsonPropertyName("servicePlan")]
    public required string ServicePlan { get; init; }

    [JsonPropertyName("currentServicePlan")]
    public string? CurrentServicePlan { get; init; }
}

/// <summary>A callback listener registration: <c>POST /m2m/v1/callbacks/{accountName}</c>.</summary>
internal sealed class VzCallbackRegistration
{
    [JsonPropertyName("name")]
    public required string Name { get; init; }

    [JsonPropertyName("url")]
    public required string Url { get; init; }

    [JsonPropertyName("username")]
    public required string Username { get; init; }

    [JsonPropertyName("password")]
    public required string Password { get; init; }
}

internal sealed class VzPlanChangeDevice
{
    [JsonPropertyName("deviceIds")]
    public required List<VzDeviceId> DeviceIds { get; init; }
}

internal sealed class VzRequestAccepted
{
    [JsonPropertyName("requestId")]
    public string? RequestId { get; set; }
}

internal sealed class VzRequestStatus
{
    [JsonPropertyName("requestId")]
    public string? RequestId { get; set; }

    [JsonPropertyName("status")]
    public string? Status { get; set; }

    [JsonPropertyName("failedDevices")]
    public List<VzFailedDevice>? FailedDevices { get; set; }
}

internal sealed class VzFailedDevice
{
    [JsonPropertyName("deviceIds")]
    public List<VzDeviceId>? DeviceIds { get; set; }

    [JsonPropertyName("cause")]
    public string? Cause { get; set; }
}

/// <summary>The <c>CarrierService</c> callback: the request's status, and the credentials the listener was registered with.</summary>
internal sealed class VzCallback
{
    [JsonPropertyName("requestId")]
    public string? RequestId { get; set; }

    [JsonPropertyName("deviceIds")]
    public List<VzDeviceId>? DeviceIds { get; set; }

    [JsonPropertyName("status")]
    public string? Status { get; set; }

    [JsonPropertyName("failedDevices")]
    public List<VzFailedDevice>? FailedDevices { get; set; }

    [JsonPropertyName("username")]
    public string? Username { get; set; }

    [JsonPropertyName("password")]
    public string? Password { get; set; }
}

/// <summary>Both error shapes: the service's <c>errorCode</c>/<c>errorMessage</c> and the gateway's <c>fault</c>.</summary>
internal sealed class VzErrorBody
{
    [JsonPropertyName("errorCode")]
    public string? ErrorCode { get; set; }

    [JsonPropertyName("errorMessage")]
    public string? ErrorMessage { get; set; }

    [JsonPropertyName("fault")]
    public VzFault? Fault { get; set; }
}

internal sealed class VzFault
{
    [JsonPropertyName("code")]
    public string? Code { get; set; }

    [JsonPropertyName("message")]
    public string? Message { get; set; }

    [JsonPropertyName("description")]
    public string? Description { get; set; }
}

[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowReadingFromString,
    PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(VzLoginRequest))]
[JsonSerializable(typeof(VzCallbackRegistration))]
[JsonSerializable(typeof(VzLoginResponse))]
[JsonSerializable(typeof(VzAccount))]
[JsonSerializable(typeof(List<VzPlan>))]
[JsonSerializable(typeof(VzDeviceListRequest))]
[JsonSerializable(typeof(VzDeviceListResponse))]
[JsonSerializable(typeof(VzUsageRequest))]
[JsonSerializable(typeof(VzUsageResponse))]
[JsonSerializable(typeof(VzPlanChangeRequest))]
[JsonSerializable(typeof(VzRequestAccepted))]
[JsonSerializable(typeof(VzRequestStatus))]
[JsonSerializable(typeof(VzCallback))]
[JsonSerializable(typeof(VzErrorBody))]
internal sealed partial class VerizonJson : JsonSerializerContext;
