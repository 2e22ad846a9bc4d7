using Microsoft.EntityFrameworkCore;
using Passerelle.CvPushes;
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

    /// <summary>The school switched the contact off: their links stop working, the page says whom to contact.</summary>
    AccessEnded,

    /// <summary>The school gave the referral to another contact of the company: the first one's links stop working.</summary>
    Reassigned,
}

/// <param name="RecipientName">The recipient's display name, as the timeline records who answered.</param>
/// <param name="Pushed">For a push CV's link (<see cref="LinkStep.Push"/>): the pushed profile it answers, instead of a referral.</param>
public sealed record ResolvedLink(LinkStatus Status, ActionLink? Link, Referral? Referral, string? RecipientName = null, PushedProfile? Pushed = null);

/// <summary>
/// Turns a token from a URL into its link and referral, checking, in order: well-formed, known, secret matches,
/// step still open, not revoked, not expired. Opens the context for the link's school. Reads only: the referral
/// comes back tracked, so that an answer applies to the very state that was checked, without reading it again.
/// </summary>
public sealed class LinkResolver(PasserelleDb db, TimeProvider clock)
{
    private sealed record Found(ActionLink Link, Referral? Referral, PushedProfile? Pushed, string? LastName, string? FirstName, bool ContactDeactivated);

    // One round trip for the link, its referral or pushed profile (of the link's school) and the name of whom it was sent to.
    private static readonly CompiledQuery<Func<PasserelleDb, Guid, CancellationToken, Task<Found?>>> LinkById = new(() =>
        EF.CompileAsyncQuery((PasserelleDb db, Guid id, CancellationToken ct) => (
            from link in db.ActionLinks.IgnoreQueryFilters()
            where link.Id == id
            join r in db.Referrals.IgnoreQueryFilters() on new { Id = link.ReferralId, link.SchoolId } equals new { Id = (Guid?)r.Id, r.SchoolId } into referrals
            from referral in referrals.DefaultIfEmpty()
            join p in db.PushedProfiles.IgnoreQueryFilters() on new { Id = link.PushedProfileId, link.SchoolId } equals new { Id = (Guid?)p.Id, p.SchoolId } into pushed
            from profile in pushed.DefaultIfEmpty()
            join c in db.CompanyContacts on link.RecipientId equals c.Id into contacts
            from contact in contacts.DefaultIfEmpty()
            join c in db.Candidates.IgnoreQueryFilters() on new { Id = link.RecipientId, link.SchoolId } equals new { c.Id, c.SchoolId } into candidates
            from candidate in candidates.DefaultIfEmpty()
            join l in db.SchoolContacts.IgnoreQueryFilters() on new { ContactId = link.RecipientId, link.SchoolId } equals new { l.ContactId, l.SchoolId } into schoolContacts
            from schoolContact in schoolContacts.DefaultIfEmpty()
            let toContact = link.Recipient == Recipient.CompanyContact
            select new Found(link, referral, profile,
                toContact ? contact!.LastName : candidate!.LastName,
                toContact ? contact!.FirstName : candidate!.FirstName,
                toContact && schoolContact != null && schoolContact.DeactivatedAt != null))
            .SingleOrDefault()));

    /// <summary>A referral's link (/l/…); a push CV's token is unknown here.</summary>
    public Task<ResolvedLink> ResolveAsync(string? token, CancellationToken ct = default) => ResolveAsync(token, pushedProfile: false, ct);

    /// <summary>A push CV's link (/l/p/…); a referral's token is unknown here.</summary>
    public Task<ResolvedLink> ResolvePushAsync(string? token, CancellationToken ct = default) => ResolveAsync(token, pushedProfile: true, ct);

    private async Task<ResolvedLink> ResolveAsync(string? token, bool pushedProfile, CancellationToken ct)
    {
        if (!ActionLink.TryParse(token, out var id, out var secretHash))
            return new ResolvedLink(LinkStatus.Tampered, null, null);
        var found = await LinkById.For(db)(db, id, ct);
        if (found is null)
            return new ResolvedLink(LinkStatus.Unknown, null, null);
        var link = found.Link;
        if (!link.Matches(secretHash))
            return new ResolvedLink(LinkStatus.Tampered, null, null);
        // A token opens only the page of its kind: the other one answers as for a link that does not exist.
        if ((link.Step == LinkStep.Push) != pushedProfile)
            return new ResolvedLink(LinkStatus.Unknown, null, null);

        db.ForSchool(link.SchoolId);
        var name = found.LastName is null ? null : PersonName.Display(found.LastName, found.FirstName!);
        if (pushedProfile)
        {
            return found.Pushed is not { } profile
                ? new ResolvedLink(LinkStatus.Unknown, null, null)
                : new ResolvedLink(found.ContactDeactivated ? LinkStatus.AccessEnded : StatusOf(link, profile.IsOpen, stale: false), link, null, name, profile);
        }
        if (found.Referral is not { } referral)
            return new ResolvedLink(LinkStatus.Unknown, null, null);

        var staleAppointment = link.Step == LinkStep.Appointment && link.AppointmentSequence != referral.AppointmentSequence;
        var status = found.ContactDeactivated ? LinkStatus.AccessEnded
            : link.Recipient == Recipient.CompanyContact && link.RecipientId != referral.ContactId ? LinkStatus.Reassigned
            : StatusOf(link, referral.IsOpen(link.Step), staleAppointment);
        return new ResolvedLink(status, link, referral, name);
    }

    /// <summary>The status a link page answers with: a dead link is gone (410) or unknown (404), a finished step still reads (200).</summary>
    public static int HttpStatus(LinkStatus status) => status switch
    {
        LinkStatus.Valid or LinkStatus.Superseded => StatusCodes.Status200OK,
        LinkStatus.Expired or LinkStatus.Revoked or LinkStatus.Reassigned => StatusCodes.Status410Gone,
        LinkStatus.AccessEnded => StatusCodes.Status403Forbidden,
        _ => StatusCodes.Status404NotFound,
    };

    private LinkStatus StatusOf(ActionLink link, bool stepOpen, bool stale) =>
        !stepOpen ? LinkStatus.Superseded :
        link.RevokedAt is not null || stale ? LinkStatus.Revoked :
        clock.GetUtcNow() >= link.ExpiresAt ? LinkStatus.Expired :
        LinkStatus.Valid;
}
