using System.Globalization;
using System.Text;
using Passerelle.Referrals;

namespace Passerelle.Email;

/// <summary>
/// The appointment as an iCalendar file (RFC 5545) in Europe/Paris: METHOD:REQUEST proposes or updates it
/// (same UID, higher SEQUENCE), METHOD:CANCEL withdraws it.
/// </summary>
public static class CalendarInvitation
{
    public static readonly TimeSpan DefaultDuration = TimeSpan.FromHours(1);

    public static string Write(
        CalendarInvite method, Guid referralId, int sequence, DateTimeOffset startsAt, string summary, string? location, string? description,
        string organizerName, string organizerAddress, string attendeeName, string? attendeeAddress, DateTimeOffset now)
    {
        // Without an attendee it is a file to add to one's own calendar (METHOD:PUBLISH), not an invitation.
        var publish = attendeeAddress is null;
        if (method == CalendarInvite.None)
            throw new ArgumentOutOfRangeException(nameof(method), "No calendar file for a mail without invitation.");
        var cancel = method == CalendarInvite.Cancel;
        var lines = new List<string>
        {
            "BEGIN:VCALENDAR",
            "PRODID:-//Passerelle//Mise en relation//FR",
            "VERSION:2.0",
            "CALSCALE:GREGORIAN",
            $"METHOD:{(publish ? "PUBLISH" : cancel ? "CANCEL" : "REQUEST")}",
            // Europe/Paris since 1996: CET/CEST, last Sunday of March and of October.
            "BEGIN:VTIMEZONE",
            "TZID:Europe/Paris",
            "BEGIN:DAYLIGHT",
            "TZOFFSETFROM:+0100",
            "TZOFFSETTO:+0200",
            "TZNAME:CEST",
            "DTSTART:19700329T020000",
            "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
            "END:DAYLIGHT",
            "BEGIN:STANDARD",
            "TZOFFSETFROM:+0200",
            "TZOFFSETTO:+0100",
            "TZNAME:CET",
            "DTSTART:19701025T030000",
            "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
            "END:STANDARD",
            "END:VTIMEZONE",
            "BEGIN:VEVENT",
            $"UID:referral-{referralId:N}@passerelle",
            $"SEQUENCE:{sequence.ToString(CultureInfo.InvariantCulture)}",
            $"DTSTAMP:{Utc(now)}",
            $"DTSTART;TZID=Europe/Paris:{Paris(startsAt)}",
            $"DTEND;TZID=Europe/Paris:{Paris(startsAt + DefaultDuration)}",
            $"SUMMARY:{Text(summary)}",
        };
        if (!string.IsNullOrWhiteSpace(location))
            lines.Add($"LOCATION:{Text(location)}");
        if (!string.IsNullOrWhiteSpace(description))
            lines.Add($"DESCRIPTION:{Text(description)}");
        if (!publish)
        {
            lines.Add($"ORGANIZER;CN={Parameter(organizerName)}:mailto:{organizerAddress}");
            lines.Add($"ATTENDEE;CN={Parameter(attendeeName)};ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=FALSE:mailto:{attendeeAddress}");
        }
        lines.Add($"STATUS:{(cancel ? "CANCELLED" : "CONFIRMED")}");
        lines.Add("TRANSP:OPAQUE");
        lines.Add("END:VEVENT");
        lines.Add("END:VCALENDAR");

        var ics = new StringBuilder();
        foreach (var line in lines)
            Fold(ics, line);
        return ics.ToString();
    }

    private static string Utc(DateTimeOffset instant) => instant.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    private static string Paris(DateTimeOffset instant) => ParisTime.ToParis(instant).ToString("yyyyMMdd'T'HHmmss", CultureInfo.InvariantCulture);

    /// <summary>TEXT values escape backslash, semicolon, comma and newlines (RFC 5545 §3.3.11).</summary>
    private static string Text(string value) => value
        .Replace("\\", "\\\\", StringComparison.Ordinal).Replace(";", "\\;", StringComparison.Ordinal)
        .Replace(",", "\\,", StringComparison.Ordinal).Replace("\r\n", "\\n", StringComparison.Ordinal)
        .Replace("\n", "\\n", StringComparison.Ordinal).Replace("\r", "\\n", StringComparison.Ordinal);

    /// <summary>A parameter value is quoted and may not contain a double quote (RFC 5545 §3.2).</summary>
    private static string Parameter(string value) => $"\"{value.Replace("\"", "'", StringComparison.Ordinal).Replace("\r", " ", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal)}\"";

    /// <summary>Lines are folded at 75 octets of UTF-8, never inside a character, and end with CRLF.</summary>
    private static void Fold(StringBuilder ics, string line)
    {
        var octets = 0;
        var limit = 75;
        foreach (var rune in line.EnumerateRunes())
        {
            var size = rune.Utf8SequenceLength;
            if (octets + size > limit)
            {
                ics.Append("\r\n ");
                octets = 1;
                limit = 75;
            }
            ics.Append(rune.ToString());
            octets += size;
        }
        ics.Append("\r\n");
    }
}
