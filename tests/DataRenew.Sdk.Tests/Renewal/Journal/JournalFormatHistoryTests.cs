using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using DataRenew.Sdk.Payments;
using DataRenew.Sdk.Renewal;
using DataRenew.Sdk.Testing;
using DataRenew.Sdk.Tests.Adapters.TMobile;
using Microsoft.Extensions.DependencyInjection;

namespace DataRenew.Sdk.Tests.Renewal.Journal;

/// <summary>
/// Journals written by earlier versions of the SDK are read and resumed. The fixture was written by the version before
/// lines had ids of their own (lines keyed by a Luhn-checked ICCID): a renewal paid but not ordered, a completed one with
/// its receipt, and a declined one.
/// </summary>
public sealed class JournalFormatHistoryTests : IDisposable
{
    private static readonly RenewalId Paid = RenewalId.Parse("rnw_0192f1c6a2b47c3e9d5f1e2a3b4c5d60");
    private static readonly RenewalId Completed = RenewalId.Parse("rnw_0192f1c6a2b47c3e9d5f1e2a3b4c5d61");
    private static readonly RenewalId Declined = RenewalId.Parse("rnw_0192f1c6a2b47c3e9d5f1e2a3b4c5d62");

    private readonly TempDirectory _directory = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task A_journal_from_before_line_ids_reads_each_line_by_its_ICCID()
    {
        using var journal = OpenFixture("journal-before-line-ids.journal");

        var completed = await journal.GetAsync(Completed, Ct);
        var declined = await journal.GetAsync(Declined, Ct);

        Assert.Equal(FakeCarrierSeed.PhysicalLine, completed!.Line.Id);
        Assert.Equal(FakeCarrierSeed.PhysicalIccid, completed.Line.Iccid);
        Assert.Equal(FakeCarrierSeed.PhysicalNumber, completed.Line.PhoneNumber);
        Assert.Equal(FakeCarrierSeed.PhysicalLine, completed.Receipt!.Line.Id);
        Assert.Equal("CONF-LEGACY-1", completed.Receipt.ConfirmationNumber);
        Assert.Equal(RenewalFailureKind.PaymentDeclined, declined!.Failure!.Kind);
        Assert.Equal([Paid], await journal.ListUnfinishedAsync(Ct).Select(r => r.Id).ToArrayAsync(Ct));
    }

    [Fact]
    public async Task A_renewal_paid_under_the_old_format_is_ordered_and_completed_by_this_version()
    {
        OpenFixture("journal-before-line-ids.journal").Dispose();
        var world = new DurableWorld(_directory.Path);
        var client = world.NewClient();
        var session = await DurableWorld.SignInAsync(client);

        var operation = await client.ResumeRenewalAsync(session, Paid, Ct);
        var final = await world.RunAsync(operation.WaitForCompletionAsync(Ct));

        Assert.Equal(RenewalState.Completed, final.State);
        Assert.Equal(FakeCarrierSeed.Plan10Gb.Code, world.Carrier.CurrentPlanOf(FakeCarrierSeed.PhysicalLine));
        var order = Assert.Single(world.Carrier.SubmittedOrders);
        Assert.Equal(FakeCarrierSeed.PhysicalLine, order.Line);
        Assert.Equal(0, world.Payments.SucceededCharges()); // paid under the old version: never charged again
    }

    private FileRenewalJournal OpenFixture(string name)
    {
        var source = Path.Combine(AppContext.BaseDirectory, "Renewal", "Journal", "Fixtures", name);
        File.Copy(source, Path.Combine(_directory.Path, FileRenewalJournal.FileName));
        return new FileRenewalJournal(_directory.Path);
    }

    private static readonly PaymentMethod TMobileCard = PaymentMethod.CardToken("tok_visa_4242", CardBrand.Visa, "4242");

    [Fact]
    public async Task TMobile_renewal_journaled_before_line_ids_can_be_resumed_after_the_upgrade()
    {
        // The version before line ids labelled a T-Mobile line with the ICCID in the bucket's logicalResource (it refused
        // a bucket without one) but addressed the subscriber by number, as the adapter does now: the renewal it left
        // unfinished (its top-up sent, the answer lost) is read with the number as its line id and resumes.
        using var directory = new TempDirectory();
        const string iccid = "8914800000000000014";
        var id = RenewalId.Parse("rnw_0192f1c6a2b47c3e9d5f1e2a3b4c5d70");
        var started = new RenewalRecord
        {
            Id = id,
            Version = 1,
            State = RenewalState.Started,
            Carrier = CarrierId.TMobile,
            AccountId = TMobileStub.Msisdn,
            Line = new Line(new LineId(iccid), SimKind.ESim, LineStatus.Active, new PlanCode("tm-5gb-30d")) { PhoneNumber = TMobileWorld.Number },
            Plan = new Plan(new PlanCode("tm-10gb-30d"), "10GB 30 days", DataAmount.FromGigabytes(10), Money.Usd(40.00m), 30),
            Price = Money.Usd(40.00m),
            Payment = TMobileCard.Summary,
            CreatedAt = DateTimeOffset.UtcNow.AddHours(-1),
            UpdatedAt = DateTimeOffset.UtcNow.AddHours(-1),
        };
        var ordering = started with { Version = 2, State = RenewalState.Ordering, OrderAttempts = 1 };
        File.WriteAllBytes(Path.Combine(directory.Path, FileRenewalJournal.FileName), [.. OldFormatLine(started), .. OldFormatLine(ordering)]);

        await using var world = new TMobileWorld(services: s => s.AddSingleton<IRenewalJournal>(new FileRenewalJournal(directory.Path)));
        world.Stub.LogicalResources = $$"""[{"value":"{{TMobileStub.Msisdn}}","@referredType":"MSISDN"},{"value":"{{iccid}}","@referredType":"ICCID"}]""";
        var session = await world.SignInClientAsync();
        Assert.Equal(LineId.Of(TMobileWorld.Number), (await world.Client.GetRenewalAsync(id, Ct))!.Line.Id);

        var resumed = await Record.ExceptionAsync(async () =>
        {
            var operation = await world.Client.ResumeRenewalAsync(session, new ResumeRenewalRequest(id) { PaymentMethod = TMobileCard }, Ct);
            var final = await operation.WaitForCompletionAsync(Ct);
            Assert.Equal(RenewalState.Completed, final.State);
        });

        Assert.True(resumed is null, $"The unfinished T-Mobile renewal from before the upgrade cannot be resumed: {resumed?.GetType().Name}: {resumed?.Message}");
    }

    /// <summary>A journal line as the version before line ids wrote it: the line has an "iccid" and no "id".</summary>
    private static byte[] OldFormatLine(RenewalRecord record)
    {
        var encoded = FileRenewalJournal.Encode(record);
        var json = JsonNode.Parse(encoded.AsSpan(26, encoded.Length - 27))!.AsObject();
        var line = json["line"]!.AsObject();
        line["iccid"] = line["id"]!.GetValue<string>();
        line.Remove("id");
        json.Remove("nonce");
        var bytes = Encoding.UTF8.GetBytes(json.ToJsonString());
        var hash = Convert.ToHexStringLower(SHA256.HashData(bytes).AsSpan(0, 8));
        return [.. Encoding.ASCII.GetBytes(bytes.Length.ToString("D8", CultureInfo.InvariantCulture) + " " + hash + " "), .. bytes, (byte)'\n'];
    }
}
