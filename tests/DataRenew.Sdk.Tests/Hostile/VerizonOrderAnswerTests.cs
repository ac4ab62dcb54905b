using DataRenew.Sdk.Tests.Adapters.Verizon;

namespace DataRenew.Sdk.Tests.Hostile;

/// <summary>
/// A plan change the carrier accepted (2xx) with an answer that parses but has no usable requestId is, like malformed
/// JSON, an outcome unknown, never a refusal: it may apply, and it is not sent again. (The mutated-answer test parks
/// such renewals in doubt until ConfirmationTimeout; this pins the adapter's side of it.)
/// </summary>
public sealed class VerizonOrderAnswerTests
{
    [Theory]
    [InlineData("""{"requestId": null}""")]
    [InlineData("""{}""")]
    [InlineData("""{"requestId": "   "}""")]
    [InlineData("""{"requestId": 12345}""")]
    public async Task An_accepted_plan_change_whose_answer_lacks_a_usable_requestId_is_an_outcome_unknown_and_not_sent_again(string answer)
    {
        var ct = TestContext.Current.CancellationToken;
        using var stub = new VerizonStub();
        await using var host = new VerizonTestHost(stub);
        var session = await host.SignInAsync();
        var line = await host.LineAsync(session, VerizonStub.ActiveLine);
        stub.RespondNext("/devices/actions/plan", 202, answer);
        var order = VerizonRenewalTests.Order(line, "M2M10GB");

        await Assert.ThrowsAsync<OutcomeUnknownException>(() => host.Carrier.Orders.SubmitAsync(session, order, ct));
        await Assert.ThrowsAsync<OutcomeUnknownException>(() => host.Carrier.Orders.SubmitAsync(session, order, ct));
        Assert.Equal(1, stub.OrdersReceived);
    }
}
