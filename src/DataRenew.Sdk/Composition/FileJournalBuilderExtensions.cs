using DataRenew.Sdk.Renewal;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the durable file journal: <c>services.AddDataRenew().UseFileJournal(path)</c>.</summary>
public static class FileJournalBuilderExtensions
{
    /// <summary>
    /// Records renewals in a <see cref="FileRenewalJournal"/> in <paramref name="directory"/>: the production
    /// default. Every process that may resume the same renewals should use the same directory.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="directory">The journal's directory (created when missing).</param>
    /// <param name="lockTimeout">How long a journal operation waits for another process's lock (default 30 s).</param>
    public static DataRenewBuilder UseFileJournal(this DataRenewBuilder builder, string directory, TimeSpan? lockTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (string.IsNullOrWhiteSpace(directory))
        {
            throw new DataRenew.Sdk.DataRenewValidationException(nameof(directory), "The journal needs a directory.");
        }

        // Built by the container, which owns (and disposes) it; the directory is created when first used.
        builder.Services.Replace(ServiceDescriptor.Singleton<IRenewalJournal>(_ => new FileRenewalJournal(directory, lockTimeout)));
        return builder;
    }
}
