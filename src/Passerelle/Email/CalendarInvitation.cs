using Ical.Net;
using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;
using Ical.Net.Serialization;
using Passerelle.Referrals;

namespace Passerelle.Email;

/// <summary>
/// The appointment as an iCalendar file (RFC 5545, written by Ical.Net) in Europe/Paris: METHOD:REQUEST proposes or
/// updates it (same UID, higher SEQUENCE), METHOD:CANCEL withdraws it; without an attendee it is METHOD:PUBLISH, a file to
/// add to one's own calendar.
/// </summary>
public static class CalendarInvitation
{
    public static readonly TimeSpan DefaultDuration = TimeSpan.FromHours(1);

    private const string Paris = "Europe/Paris";

    /// <summary>The UID of a referral's appointment: the same for every update and for its cancellation.</summary>
    public static string Uid(Guid referralId) => $"referral-{referralId:N}@passerelle";

    public static string Write(
        CalendarInvite method, Guid referralId, int sequence, DateTimeOffset startsAt, string summary, string? location, string? description,
        string organizerName, string organizerAddress, string attendeeName, string? attendeeAddress, DateTimeOffset now)
    {
        if (method == CalendarInvite.None)
            throw new ArgumentOutOfRangeException(nameof(method), "No calendar file for a mail without invitation.");
        var publish = attendeeAddress is null;
        var cancel = method == CalendarInvite.Cancel;
        var calendar = new Calendar
        {
            ProductId = "-//Passerelle//Mise en relation//FR",
            Method = publish ? "PUBLISH" : cancel ? "CANCEL" : "REQUEST",
        };
        // The zone's rules as they are today (CET/CEST), not its whole history back to 1891.
        calendar.AddTimeZone(VTimeZone.FromDateTimeZone(Paris, ParisTime.ToParis(startsAt).AddYears(-1), includeHistoricalData: false));

        var start = ParisTime.ToParis(startsAt);
        var appointment = new CalendarEvent
        {
            Uid = Uid(referralId),
            Sequence = sequence,
            DtStamp = new CalDateTime(now.UtcDateTime, "UTC"),
            DtStart = new CalDateTime(start, Paris),
            DtEnd = new CalDateTime(start + DefaultDuration, Paris),
            Summary = summary,
            Location = string.IsNullOrWhiteSpace(location) ? null : location,
            Description = string.IsNullOrWhiteSpace(description) ? null : description,
            Status = cancel ? EventStatus.Cancelled : EventStatus.Confirmed,
            Transparency = TransparencyType.Opaque,
        };
        if (!publish)
        {
            appointment.Organizer = new Organizer($"mailto:{organizerAddress}") { CommonName = organizerName };
            appointment.Attendees.Add(new Attendee($"mailto:{attendeeAddress}")
            {
                CommonName = attendeeName, Role = ParticipationRole.RequiredParticipant, ParticipationStatus = EventParticipationStatus.NeedsAction, Rsvp = false,
            });
        }
        calendar.Events.Add(appointment);
        return new CalendarSerializer().SerializeToString(calendar)!;
    }
}
