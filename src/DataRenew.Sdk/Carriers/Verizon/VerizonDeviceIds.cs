namespace DataRenew.Sdk.Carriers.Verizon;

/// <summary>
/// How a Verizon-style device becomes a line id and back. The style addresses a device by any of its ids
/// (<c>{"id","kind"}</c>: iccid, imei, meid, esn, mdn, min). The line id is the ICCID as the carrier reported it, whatever
/// its check digit; a device without one is addressed by its next id, written <c>kind:id</c>.
/// </summary>
internal static class VerizonDeviceIds
{
    private const string IccidKind = "iccid";

    // The ids a device can be addressed by, best first: a SIM's ICCID, then the hardware ids, then the numbers.
    private static readonly string[] Preferred = [IccidKind, "imei", "meid", "esn", "mdn", "min"];

    /// <summary>The device's line id, or <see langword="null"/> when it carries no id at all.</summary>
    public static LineId? LineIdOf(VzDevice device)
    {
        foreach (var kind in Preferred)
        {
            if (IdOf(device, kind) is { } id)
            {
                // A plain ICCID stays plain (journals and apps see the carrier's value); anything else says its kind.
                var value = kind == IccidKind && !id.Contains(':', StringComparison.Ordinal) ? id : kind + ":" + id;
                if (LineId.TryCreate(value, out var lineId))
                {
                    return lineId;
                }
            }
        }

        return null;
    }

    /// <summary>The device id to ask the carrier for a line by.</summary>
    public static VzDeviceId DeviceIdOf(LineId line)
    {
        var value = line.Value;
        var colon = value.IndexOf(':', StringComparison.Ordinal);
        if (colon > 0 && Array.IndexOf(Preferred, value[..colon]) >= 0)
        {
            return new VzDeviceId { Kind = value[..colon], Id = value[(colon + 1)..] };
        }

        return new VzDeviceId { Kind = IccidKind, Id = value };
    }

    /// <summary>Whether the device carries that id.</summary>
    public static bool Has(VzDevice device, VzDeviceId id) => IdOf(device, id.Kind!) == id.Id;

    /// <summary>The device's id of one kind, trimmed; <see langword="null"/> when it has none.</summary>
    public static string? IdOf(VzDevice device, string kind) =>
        device.DeviceIds?.FirstOrDefault(d => d is not null && string.Equals(d.Kind?.Trim(), kind, StringComparison.OrdinalIgnoreCase) && !string.IsNullOrWhiteSpace(d.Id))?.Id?.Trim();

    /// <summary>Every id the device carries, masked, for a report about a device that could not be read.</summary>
    public static string? Masked(VzDevice device) =>
        device.DeviceIds?.FirstOrDefault(d => !string.IsNullOrWhiteSpace(d?.Id))?.Id is { } any ? Account.Mask(any.Trim()) : null;
}
