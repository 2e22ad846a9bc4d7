using Microsoft.EntityFrameworkCore;
using Passerelle.Referrals;
using Passerelle.Storage;

namespace Passerelle.SchoolOffice;

/// <summary>
/// The school's funnel over a period (referrals proposed then → offer accepted → company accepted → appointment
/// confirmed → recruited) and the median delay of each answer.
/// </summary>
public sealed class DashboardModel(PasserelleDb db, TimeProvider clock) : SchoolPage(db)
{
    [Microsoft.AspNetCore.Mvc.BindProperty(SupportsGet = true, Name = "du")]
    public DateOnly? From { get; set; }

    [Microsoft.AspNetCore.Mvc.BindProperty(SupportsGet = true, Name = "au")]
    public DateOnly? To { get; set; }

    public IReadOnlyList<(string Step, int Count)> Funnel { get; private set; } = [];
    public IReadOnlyList<(string Answer, TimeSpan? Median, int Count)> Delays { get; private set; } = [];

    /// <summary>Profiles pushed over the period, and what the companies answered (shown when the module is on).</summary>
    public sealed record PushFigures(int Sent, int MeetingsAsked, int NotFollowedUp)
    {
        /// <summary>"25 %": the share of pushed profiles a company asked to meet; "—" before any push.</summary>
        public string Rate => Sent == 0 ? "—" : $"{Math.Round(100.0 * MeetingsAsked / Sent):0} %";
    }

    public PushFigures? Pushes { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        var today = DateOnly.FromDateTime(ParisTime.ToParis(clock.GetUtcNow()));
        // Any date a person could mean; far-off ones (0001-01-01, 9999-12-31) are brought back before any arithmetic.
        static DateOnly Clamp(DateOnly date) =>
            date < new DateOnly(2000, 1, 1) ? new DateOnly(2000, 1, 1) : date > new DateOnly(2100, 1, 1) ? new DateOnly(2100, 1, 1) : date;
        To = Clamp(To ?? today);
        From = Clamp(From ?? To.Value.AddYears(-1));
        if (From > To)
            (From, To) = (To, From);
        var start = ParisTime.ToUtc(From.Value.ToDateTime(TimeOnly.MinValue));
        var end = ParisTime.ToUtc(To.Value.AddDays(1).ToDateTime(TimeOnly.MinValue));

        var referrals = await Db.Referrals.AsNoTracking().Where(r => r.CreatedAt >= start && r.CreatedAt < end)
            .Select(r => new { r.Id, r.CreatedAt, r.Outcome }).ToListAsync(ct);
        var ids = referrals.Select(r => r.Id).ToList();
        var events = (await Db.ReferralEvents.AsNoTracking().Where(e => ids.Contains(e.ReferralId) && e.Kind != ReferralEventKind.Proposed)
            .Select(e => new { e.ReferralId, e.Kind, e.OccurredAt }).ToListAsync(ct)).ToLookup(e => e.ReferralId);

        DateTimeOffset? First(Guid id, params ReferralEventKind[] kinds) =>
            events[id].Where(e => kinds.Contains(e.Kind)).Select(e => (DateTimeOffset?)e.OccurredAt).Min();
        bool Reached(Guid id, ReferralEventKind kind) => events[id].Any(e => e.Kind == kind);

        Funnel =
        [
            ("Mises en relation proposées", referrals.Count),
            // A referral born of a push CV starts with the candidate's consent, which stands for their acceptance.
            ("Offre acceptée par le candidat", referrals.Count(r => Reached(r.Id, ReferralEventKind.OfferAccepted) || Reached(r.Id, ReferralEventKind.ProposedFromPush))),
            ("Candidat accepté par l'entreprise", referrals.Count(r => Reached(r.Id, ReferralEventKind.CandidateAccepted))),
            ("Rendez-vous confirmé", referrals.Count(r => Reached(r.Id, ReferralEventKind.AppointmentAccepted))),
            ("Recruté", referrals.Count(r => r.Outcome == Outcome.Recruited)),
        ];

        if (PushCv)
        {
            var pushes = await Db.PushedProfiles.AsNoTracking().Where(p => p.PushedAt >= start && p.PushedAt < end)
                .GroupBy(p => p.State).Select(g => new { State = g.Key, Count = g.Count() }).ToListAsync(ct);
            Pushes = new PushFigures(pushes.Sum(p => p.Count), pushes.Where(p => p.State == CvPushes.PushedProfileState.MeetingAsked).Sum(p => p.Count),
                pushes.Where(p => p.State == CvPushes.PushedProfileState.NotFollowedUp).Sum(p => p.Count));
        }

        var offerDelays = referrals.Select(r => First(r.Id, ReferralEventKind.OfferAccepted, ReferralEventKind.OfferDeclined) - r.CreatedAt);
        var companyDelays = referrals.Select(r => First(r.Id, ReferralEventKind.CandidateAccepted, ReferralEventKind.CandidateRefused) - First(r.Id, ReferralEventKind.OfferAccepted));
        var appointmentDelays = referrals.Select(r => First(r.Id, ReferralEventKind.AppointmentAccepted, ReferralEventKind.AppointmentDeclined) - First(r.Id, ReferralEventKind.CandidateAccepted));
        Delays =
        [
            Median("Réponse du candidat à l'offre", offerDelays),
            Median("Réponse de l'entreprise", companyDelays),
            Median("Réponse du candidat au rendez-vous", appointmentDelays),
        ];
    }

    private static (string, TimeSpan?, int) Median(string answer, IEnumerable<TimeSpan?> delays)
    {
        var sorted = delays.Where(d => d is { Ticks: >= 0 }).Select(d => d!.Value).Order().ToList();
        if (sorted.Count == 0)
            return (answer, null, 0);
        var middle = sorted.Count / 2;
        var median = sorted.Count % 2 == 1 ? sorted[middle] : TimeSpan.FromTicks((sorted[middle - 1].Ticks + sorted[middle].Ticks) / 2);
        return (answer, median, sorted.Count);
    }

    /// <summary>"3 j 4 h", "5 h 10 min", "12 min".</summary>
    public static string Duration(TimeSpan? delay) => delay switch
    {
        null => "—",
        { TotalDays: >= 1 } d => $"{(int)d.TotalDays} j {d.Hours} h",
        { TotalHours: >= 1 } d => $"{(int)d.TotalHours} h {d.Minutes} min",
        { } d => $"{Math.Max(1, (int)Math.Round(d.TotalMinutes))} min",
    };
}
