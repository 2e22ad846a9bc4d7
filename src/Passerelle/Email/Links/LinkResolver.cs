using Microsoft.EntityFrameworkCore;
using Passerelle.Referrals;
using Passerelle.Schools;
using Passerelle.Storage;

namespace Passerelle.Email.Links;

/// <summary>What an opened e-mail link turns out to be.</summary>
public enum LinkStatus
{
    Valid,

    /// <summary>Not a token we could have issued (cut, altered), or a known link whose secret does not match.</summary>
    Tampered,

    /// <summary>Well-formed, but no such link exists (any more).</summary>
    Unknown,

    Expired,

    /// <summary>Switched off while its step was still open (replaced by a newer mail's links, for instance).</summary>
    Revoked,

    /// <summary>The step it answers can no longer change: the process moved on, or the school cancelled it.</summary>
    Superseded,
}

/// <param name="RecipientName">The recipient's display name, as the timeline records who answered.</param>
public sealed record ResolvedLink(LinkStatus Status, ActionLink? Link, Referral? Referral, string? RecipientName = null);

/// <summary>
/// Turns a token from a URL into its link and referral, checking, in order: well-formed, known, secret matches,
/// step still open, not revoked, not expired. Opens the context for the link's school. Reads only: the referral
/// comes back tracked, so that an answer applies to the very state that was checked, without reading it again.
/// </summary>
public sealed class LinkResolver(PasserelleDb db, TimeProvider clock)
{
    private sealed record Found(ActionLink Link, Referral? Referral, string? LastName, string? FirstName);

    // One round trip for the link, its referral (of the link's school) and the name of whom it was sent to.
    private static readonly CompiledQuery<Func<PasserelleDb, Guid, CancellationToken, Task<Found?>>> LinkById = new(() =>
        EF.CompileAsyncQuery((PasserelleDb db, Guid id, CancellationToken ct) => (
            from link in db.ActionLinks.IgnoreQueryFilters()
            where link.Id == id
            join r in db.Referrals.IgnoreQueryFilters() on new { Id = link.ReferralId, link.SchoolId } equals new { r.Id, r.SchoolId } into referrals
            from referral in referrals.DefaultIfEmpty()
            join c in db.CompanyContacts on link.RecipientId equals c.Id into contacts
            from contact in contacts.DefaultIfEmpty()
            join c in db.Candidates.IgnoreQueryFilters() on new { Id = link.RecipientId, link.SchoolId } equals new { c.Id, c.SchoolId } into candidates
            from candidate in candidates.DefaultIfEmpty()
            let toContact = link.Recipient == Recipient.CompanyContact
            select new Found(link, referral,
                toContact ? contact!.LastName : candidate!.LastName,
                toContact ? contact!.FirstName : candidate!.FirstName))
            .SingleOrDefault()));

    public async Task<ResolvedLink> ResolveAsync(string? token, CancellationToken ct = default)
    {
        if (!ActionLink.TryParse(token, out var id, out var secretHash))
            return new ResolvedLink(LinkStatus.Tampered, null, null);
        var found = await LinkById.For(db)(db, id, ct);
        if (found is null)
            return new ResolvedLink(LinkStatus.Unknown, null, null);
        var link = found.Link;
        if (!link.Matches(secretHash))
            return new ResolvedLink(LinkStatus.Tampered, null, null);

        db.ForSchool(link.SchoolId);
        if (found.Referral is not { } referral)
            return new ResolvedLink(LinkStatus.Unknown, null, null);

        var staleAppointment = link.Step == LinkStep.Appointment && link.AppointmentSequence != referral.AppointmentSequence;
        var status =
            !referral.IsOpen(link.Step) ? LinkStatus.Superseded :
            link.RevokedAt is not null || staleAppointment ? LinkStatus.Revoked :
            clock.GetUtcNow() >= link.ExpiresAt ? LinkStatus.Expired :
            LinkStatus.Valid;
        var name = found.LastName is null ? null : PersonName.Display(found.LastName, found.FirstName!);
        return new ResolvedLink(status, link, referral, name);
    }
}
