using Microsoft.EntityFrameworkCore;
using Passerelle.Referrals;
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

public sealed record ResolvedLink(LinkStatus Status, ActionLink? Link, Referral? Referral);

/// <summary>
/// Turns a token from a URL into its link and referral, checking, in order: well-formed, known, secret matches,
/// step still open, not revoked, not expired. Opens the context for the link's school. Reads only.
/// </summary>
public sealed class LinkResolver(PasserelleDb db, TimeProvider clock)
{
    public async Task<ResolvedLink> ResolveAsync(string? token, CancellationToken ct = default)
    {
        if (!ActionLink.TryParse(token, out var id, out var secretHash))
            return new ResolvedLink(LinkStatus.Tampered, null, null);
        var link = await db.ActionLinks.IgnoreQueryFilters().AsNoTracking().SingleOrDefaultAsync(l => l.Id == id, ct);
        if (link is null)
            return new ResolvedLink(LinkStatus.Unknown, null, null);
        if (!link.Matches(secretHash))
            return new ResolvedLink(LinkStatus.Tampered, null, null);

        db.ForSchool(link.SchoolId);
        var referral = await db.Referrals.AsNoTracking().SingleOrDefaultAsync(r => r.Id == link.ReferralId, ct);
        if (referral is null)
            return new ResolvedLink(LinkStatus.Unknown, null, null);

        var stepOpen = link.Step switch
        {
            LinkStep.Offer => referral.OfferStepOpen,
            LinkStep.Company => referral.CompanyStepOpen,
            _ => referral.AppointmentStepOpen,
        };
        var staleAppointment = link.Step == LinkStep.Appointment && link.AppointmentSequence != referral.AppointmentSequence;
        var status =
            !stepOpen ? LinkStatus.Superseded :
            link.RevokedAt is not null || staleAppointment ? LinkStatus.Revoked :
            clock.GetUtcNow() >= link.ExpiresAt ? LinkStatus.Expired :
            LinkStatus.Valid;
        return new ResolvedLink(status, link, referral);
    }
}
