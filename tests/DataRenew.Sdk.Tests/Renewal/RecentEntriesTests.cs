using DataRenew.Sdk.Renewal;

namespace DataRenew.Sdk.Tests.Renewal;

public sealed class RecentEntriesTests
{
    [Fact]
    public void The_oldest_entries_are_forgotten_first_so_memory_stays_bounded()
    {
        var entries = new RecentEntries<(CarrierId, string), RenewalId>(capacity: 2);
        var (first, second, third) = (RenewalId.New(), RenewalId.New(), RenewalId.New());

        entries.Remember((CarrierId.Verizon, "r-1"), first);
        entries.Remember((CarrierId.Verizon, "r-2"), first);
        entries.Remember((CarrierId.Verizon, "r-2"), second); // replaced, still one entry
        entries.Remember((CarrierId.Verizon, "r-3"), third);

        Assert.False(entries.TryFind((CarrierId.Verizon, "r-1"), out _));
        Assert.True(entries.TryFind((CarrierId.Verizon, "r-2"), out var found) && found == second);
        Assert.True(entries.TryFind((CarrierId.Verizon, "r-3"), out found) && found == third);
        Assert.False(entries.TryFind((CarrierId.TMobile, "r-3"), out _)); // order ids are per carrier
    }
}
