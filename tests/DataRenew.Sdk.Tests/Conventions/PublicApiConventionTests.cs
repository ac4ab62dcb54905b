using System.Reflection;
using System.Runtime.CompilerServices;
using DataRenew.Sdk.Renewal;
using NSubstitute;

namespace DataRenew.Sdk.Tests.Conventions;

/// <summary>Rules over the public API of both packages, in the manner of Octokit's convention tests.</summary>
public sealed class PublicApiConventionTests
{
    private static readonly Assembly[] Packages = [typeof(DataRenewClient).Assembly, typeof(Testing.FakeCarrier).Assembly];

    private static IEnumerable<Type> PublicTypes => Packages.SelectMany(a => a.GetExportedTypes());

    private static IEnumerable<MethodInfo> PublicMethods => PublicTypes.SelectMany(t =>
        t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)).Where(m => !m.IsSpecialName);

    [Fact]
    public void Every_public_async_method_ends_in_Async_and_takes_an_optional_cancellation_token_last()
    {
        var offenders = PublicMethods
            .Where(m => typeof(Task).IsAssignableFrom(m.ReturnType) || m.ReturnType.IsGenericType && m.ReturnType.GetGenericTypeDefinition() == typeof(IAsyncEnumerable<>))
            .Where(m =>
            {
                var last = m.GetParameters().LastOrDefault();
                return !m.Name.EndsWith("Async", StringComparison.Ordinal) || last is null || last.ParameterType != typeof(CancellationToken) || !last.HasDefaultValue;
            })
            .Select(m => $"{m.DeclaringType!.Name}.{m.Name}")
            .ToArray();

        Assert.Empty(offenders);
    }

    [Fact]
    public void Public_async_enumerables_take_their_cancellation_token_through_WithCancellation()
    {
        var offenders = PublicMethods
            .Where(m => m.ReturnType.IsGenericType && m.ReturnType.GetGenericTypeDefinition() == typeof(IAsyncEnumerable<>))
            .Where(m => m.GetCustomAttribute<AsyncIteratorStateMachineAttribute>() is not null)
            .Where(m => m.GetParameters().Last().GetCustomAttribute<EnumeratorCancellationAttribute>() is null)
            .Select(m => $"{m.DeclaringType!.Name}.{m.Name}")
            .ToArray();

        Assert.Empty(offenders);
    }

    [Fact]
    public void Models_have_no_public_setters_except_init_and_options_and_test_doubles()
    {
        var offenders = PublicTypes
            .Where(t => !t.Name.EndsWith("Options", StringComparison.Ordinal) && t.Namespace != "DataRenew.Sdk.Testing")
            .SelectMany(t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Where(p => p.SetMethod is { IsPublic: true } setter
                && !setter.ReturnParameter.GetRequiredCustomModifiers().Contains(typeof(IsExternalInit)))
            .Select(p => $"{p.DeclaringType!.Name}.{p.Name}")
            .ToArray();

        Assert.Empty(offenders);
    }

    [Fact]
    public void Every_public_exception_derives_from_DataRenewException()
    {
        var offenders = PublicTypes
            .Where(t => typeof(Exception).IsAssignableFrom(t) && !typeof(DataRenewException).IsAssignableFrom(t))
            .Where(t => t != typeof(Testing.FakeConnectionLostException)) // a fake's stand-in for a network failure
            .Select(t => t.Name)
            .ToArray();

        Assert.Empty(offenders);
    }

    [Fact]
    public void The_client_and_the_operation_can_be_substituted_in_app_tests()
    {
        foreach (var type in new[] { typeof(DataRenewClient), typeof(RenewalOperation) })
        {
            Assert.Contains(type.GetConstructors(BindingFlags.NonPublic | BindingFlags.Instance), c => c.IsFamily && c.GetParameters().Length == 0);
            var sealedMembers = type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
                .Where(m => !m.IsVirtual)
                .Select(m => m.Name)
                .ToArray();
            Assert.Empty(sealedMembers);
        }
    }

    [Fact]
    public async Task A_substitute_client_answers_in_an_app_test()
    {
        var client = Substitute.For<DataRenewClient>();
        var id = RenewalId.New();
        client.GetRenewalAsync(id, Arg.Any<CancellationToken>()).Returns(new RenewalRecord
        {
            Id = id, Version = 3, State = RenewalState.Completed, Carrier = CarrierId.Fake, AccountId = "A1",
            Line = new Line(Testing.FakeCarrierSeed.PhysicalLine, SimKind.Physical, LineStatus.Active, Testing.FakeCarrierSeed.Plan5Gb.Code),
            Plan = Testing.FakeCarrierSeed.Plan5Gb, Price = Money.Usd(30), Payment = new Payments.PaymentMethodSummary(Payments.PaymentMethodKind.PayPal),
            CreatedAt = DateTimeOffset.UnixEpoch, UpdatedAt = DateTimeOffset.UnixEpoch,
        });

        var record = await client.GetRenewalAsync(id, TestContext.Current.CancellationToken);

        Assert.Equal(RenewalState.Completed, record?.State);
    }
}
