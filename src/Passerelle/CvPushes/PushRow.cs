using Microsoft.EntityFrameworkCore;
using Passerelle.Schools;
using Passerelle.Storage;

namespace Passerelle.CvPushes;

/// <summary>What the school's lists of pushes filter on; every field optional.</summary>
public sealed record PushFilter(PushedProfileState? State = null, Guid? CompanyId = null, Guid? StaffId = null, Guid? CandidateId = null);

/// <summary>One pushed profile as the school's lists show it: the candidate's page, the Push CV list and its CSV export.</summary>
public sealed record PushRow(
    Guid Id, DateTimeOffset PushedAt, Guid CandidateId, string Candidate, string Contact, string Company, string PushedBy,
    PushedProfileState State, DateTimeOffset? AnsweredAt, string? DeclineReason, Guid? ReferralId)
{
    public static async Task<List<PushRow>> ListAsync(PasserelleDb db, PushFilter filter, CancellationToken ct, int? skip = null, int? take = null)
    {
        var query = Filtered(db, filter).OrderByDescending(x => x.Profile.PushedAt).ThenBy(x => x.Profile.Id).AsQueryable();
        if (skip is { } s)
            query = query.Skip(s);
        if (take is { } t)
            query = query.Take(t);
        return (await query.AsNoTracking().ToListAsync(ct)).Select(x => new PushRow(
            x.Profile.Id, x.Profile.PushedAt, x.Profile.CandidateId, PersonName.Display(x.CandidateLast, x.CandidateFirst),
            PersonName.Display(x.ContactLast, x.ContactFirst), x.Company, PersonName.Display(x.StaffLast, x.StaffFirst),
            x.Profile.State, x.Profile.AnsweredAt, x.Profile.DeclineReason, x.Profile.ReferralId)).ToList();
    }

    public static Task<int> CountAsync(PasserelleDb db, PushFilter filter, CancellationToken ct) => Filtered(db, filter).CountAsync(ct);

    // An object initializer (not a constructor) so that EF Core can filter and sort on the projection.
    private sealed class Joined
    {
        public required PushedProfile Profile { get; init; }
        public required string CandidateLast { get; init; }
        public required string CandidateFirst { get; init; }
        public required string ContactLast { get; init; }
        public required string ContactFirst { get; init; }
        public required Guid CompanyId { get; init; }
        public required string Company { get; init; }
        public required Guid StaffId { get; init; }
        public required string StaffLast { get; init; }
        public required string StaffFirst { get; init; }
    }

    private static IQueryable<Joined> Filtered(PasserelleDb db, PushFilter filter)
    {
        var query =
            from p in db.PushedProfiles
            join push in db.CvPushes on p.CvPushId equals push.Id
            join candidate in db.Candidates on p.CandidateId equals candidate.Id
            join contact in db.CompanyContacts on p.ContactId equals contact.Id
            join company in db.Companies on contact.CompanyId equals company.Id
            join staff in db.Staff on push.CreatedByStaffId equals staff.Id
            select new Joined
            {
                Profile = p, CandidateLast = candidate.LastName, CandidateFirst = candidate.FirstName, ContactLast = contact.LastName,
                ContactFirst = contact.FirstName, CompanyId = company.Id, Company = company.Name, StaffId = staff.Id,
                StaffLast = staff.LastName, StaffFirst = staff.FirstName,
            };
        if (filter.State is { } state)
            query = query.Where(x => x.Profile.State == state);
        if (filter.CompanyId is { } companyId)
            query = query.Where(x => x.CompanyId == companyId);
        if (filter.StaffId is { } staffId)
            query = query.Where(x => x.StaffId == staffId);
        if (filter.CandidateId is { } candidateId)
            query = query.Where(x => x.Profile.CandidateId == candidateId);
        return query;
    }
}
