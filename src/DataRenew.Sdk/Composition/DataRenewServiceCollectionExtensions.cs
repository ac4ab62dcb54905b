using System.Diagnostics.CodeAnalysis;
using DataRenew.Sdk;
using DataRenew.Sdk.Callbacks;
using DataRenew.Sdk.Payments;
using DataRenew.Sdk.Providers;
using DataRenew.Sdk.Renewal;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers DataRenew.Sdk: <c>services.AddDataRenew().AddCarrier(...)</c>.</summary>
public static class DataRenewServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="DataRenewClient"/>, an in-memory renewal journal (replace it with
    /// <see cref="DataRenewBuilder.UseJournal{TJournal}"/>) and <see cref="TimeProvider.System"/> unless one is registered.
    /// Options are validated when the client is first built.
    /// </summary>
    public static DataRenewBuilder AddDataRenew(this IServiceCollection services, Action<DataRenewOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<DataRenewOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DataRenewOptions>, DataRenewOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IRenewalJournal, InMemoryRenewalJournal>();
        services.TryAddSingleton(sp => new DataRenewClient(
            sp.GetServices<ICarrierProvider>(),
            sp.GetRequiredService<IRenewalJournal>(),
            sp.GetRequiredService<IOptions<DataRenewOptions>>(),
            sp.GetService<TimeProvider>(),
            sp.GetService<IPaymentGateway>(),
            sp.GetService<Logging.ILogger<DataRenewClient>>()));
        services.TryAddSingleton(sp => new CarrierCallbacks(
            sp.GetRequiredService<DataRenewClient>(),
            sp.GetServices<ICarrierCallbackVerifier>(),
            sp.GetService<TimeProvider>()));
        services.TryAddSingleton<ICarrierCallbackHandler>(sp => sp.GetRequiredService<CarrierCallbacks>());
        return new DataRenewBuilder(services);
    }
}

/// <summary>Adds carriers, a payment gateway and a journal to DataRenew.Sdk.</summary>
public sealed class DataRenewBuilder
{
    internal DataRenewBuilder(IServiceCollection services) => Services = services;

    /// <summary>The service collection, for extension methods of adapter packages.</summary>
    public IServiceCollection Services { get; }

    /// <summary>Adds a carrier adapter instance (the fake carrier, or an adapter built by hand).</summary>
    public DataRenewBuilder AddCarrier(ICarrierProvider carrier)
    {
        ArgumentNullException.ThrowIfNull(carrier);
        Services.AddSingleton(carrier);
        return this;
    }

    /// <summary>Adds a carrier adapter built by the container.</summary>
    public DataRenewBuilder AddCarrier<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TCarrier>() where TCarrier : class, ICarrierProvider
    {
        Services.TryAddSingleton<TCarrier>();
        Services.AddSingleton<ICarrierProvider>(sp => sp.GetRequiredService<TCarrier>());
        return this;
    }

    /// <summary>Uses a payment gateway for card and wallet payments.</summary>
    public DataRenewBuilder UsePaymentGateway(IPaymentGateway gateway)
    {
        ArgumentNullException.ThrowIfNull(gateway);
        Services.Replace(ServiceDescriptor.Singleton(gateway));
        return this;
    }

    /// <summary>Uses a payment gateway built by the container.</summary>
    public DataRenewBuilder UsePaymentGateway<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TGateway>() where TGateway : class, IPaymentGateway
    {
        Services.Replace(ServiceDescriptor.Singleton<IPaymentGateway, TGateway>());
        return this;
    }

    /// <summary>Uses a renewal journal built by the container (a durable one in production).</summary>
    public DataRenewBuilder UseJournal<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TJournal>() where TJournal : class, IRenewalJournal
    {
        Services.Replace(ServiceDescriptor.Singleton<IRenewalJournal, TJournal>());
        return this;
    }

    /// <summary>Uses a renewal journal instance.</summary>
    public DataRenewBuilder UseJournal(IRenewalJournal journal)
    {
        ArgumentNullException.ThrowIfNull(journal);
        Services.Replace(ServiceDescriptor.Singleton(journal));
        return this;
    }
}
