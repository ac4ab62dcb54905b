namespace DataRenew.Sdk;

/// <summary>
/// Something a carrier listed that could not be made a <see cref="Line"/> (it carried no identifier the carrier can be
/// asked by). Listings never drop such an entry silently: it is reported here, and logged once per listing.
/// </summary>
/// <param name="Carrier">The carrier.</param>
/// <param name="Reason">What was wrong with the entry, in words a person understands.</param>
/// <param name="MaskedIdentifier">Whatever identifier the entry did carry, masked; <see langword="null"/> when none.</param>
public sealed record LineListingProblem(CarrierId Carrier, string Reason, string? MaskedIdentifier = null);
