using DataRenew.Sdk.Renewal;

namespace DataRenew.Sdk.Tests.Renewal;

public sealed class FinishedOrdersTests
{
    [Fact]
    public void The_oldest_finished_orders_are_forgotten_first_so_memory_stays_bounded()
    {
        var orders = new FinishedOrders(capacity: 2);
        var (first, second, third) = (RenewalId.New(), RenewalId.New(), RenewalId.New());

        orders.Remember(CarrierId.Verizon, "r-1", first);
        orders.Remember(CarrierId.Verizon, "r-2", second);
        orders.Remember(CarrierId.Verizon, "r-2", second); // remembered once
        orders.Remember(CarrierId.Verizon, "r-3", third);

        Assert.Null(orders.Find(CarrierId.Verizon, "r-1"));
        Assert.Equal(second, orders.Find(CarrierId.Verizon, "r-2"));
        Assert.Equal(third, orders.Find(CarrierId.Verizon, "r-3"));
        Assert.Null(orders.Find(CarrierId.TMobile, "r-3")); // order ids are per carrier
    }
}
