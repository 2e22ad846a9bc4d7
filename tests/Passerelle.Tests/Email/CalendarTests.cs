using System.Text;
using Ical.Net;
using Ical.Net.CalendarComponents;
using Passerelle.Email;
using Passerelle.Referrals;

namespace Passerelle.Tests.Email;

/// <summary>The invitations Passerelle writes, read back with Ical.Net as a calendar application would.</summary>
public class CalendarTests
{
    private static readonly Guid ReferralId = Guid.Parse("0193c2a0-0000-7000-8000-000000000401");
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 9, 30, 0, TimeSpan.Zero);

    private static string Write(CalendarInvite method, int sequence, DateTimeOffset startsAt, string? location = "12 rue des Écoles, Bordeaux; 2e étage",
        string attendee = "TECHER Margaud", string? attendeeAddress = "margaud@example.org") =>
        CalendarInvitation.Write(method, ReferralId, sequence, startsAt, "Entretien Laboriosam – Et laboriosam praesentium", location,
            "Merci d'apporter votre CV.\nÀ bientôt", "Passerelle School", "passerelle@passerelle.test", attendee, attendeeAddress, Now);

    /// <summary>The file parsed back: its calendar and its one event.</summary>
    public static (Calendar Calendar, CalendarEvent Event) Read(string ics)
    {
        var calendar = Calendar.Load(ics)!;
        return (calendar, calendar.Events.ShouldHaveSingleItem());
    }

    [Fact]
    public void A_proposal_is_a_request_in_paris_time_with_a_stable_uid()
    {
        // 22/06/2020 10h00 in Paris is 08:00 UTC (summer time).
        var ics = Write(CalendarInvite.Request, 0, new DateTimeOffset(2020, 6, 22, 8, 0, 0, TimeSpan.Zero));

        var (calendar, appointment) = Read(ics);
        calendar.Method.ShouldBe("REQUEST");
        calendar.TimeZones.ShouldHaveSingleItem().TzId.ShouldBe("Europe/Paris");
        appointment.Uid.ShouldBe($"referral-{ReferralId:N}@passerelle");
        appointment.Sequence.ShouldBe(0);
        appointment.DtStart!.TzId.ShouldBe("Europe/Paris");
        appointment.DtStart.Value.ShouldBe(new DateTime(2020, 6, 22, 10, 0, 0));
        appointment.DtStart.AsUtc.ShouldBe(new DateTime(2020, 6, 22, 8, 0, 0, DateTimeKind.Utc), "the zone's summer offset, as a calendar reads it");
        appointment.DtEnd!.AsUtc.ShouldBe(new DateTime(2020, 6, 22, 9, 0, 0, DateTimeKind.Utc));
        appointment.DtStamp!.AsUtc.ShouldBe(Now.UtcDateTime);
        appointment.Status.ShouldBe(EventStatus.Confirmed);
        appointment.Location.ShouldBe("12 rue des Écoles, Bordeaux; 2e étage", "commas and semicolons escaped, and read back");
        appointment.Description.ShouldBe("Merci d'apporter votre CV.\nÀ bientôt");
        appointment.Organizer!.CommonName.ShouldBe("Passerelle School");
        appointment.Organizer.Value!.ToString().ShouldBe("mailto:passerelle@passerelle.test");
        var attendee = appointment.Attendees.ShouldHaveSingleItem();
        (attendee.CommonName, attendee.Value!.ToString(), attendee.Role, attendee.Rsvp).ShouldBe(("TECHER Margaud", "mailto:margaud@example.org", "REQ-PARTICIPANT", false));
    }

    [Fact]
    public void A_winter_appointment_uses_winter_time()
    {
        var (_, appointment) = Read(Write(CalendarInvite.Request, 0, new DateTimeOffset(2026, 1, 15, 13, 30, 0, TimeSpan.Zero)));

        appointment.DtStart!.Value.ShouldBe(new DateTime(2026, 1, 15, 14, 30, 0));
        appointment.DtStart.AsUtc.ShouldBe(new DateTime(2026, 1, 15, 13, 30, 0, DateTimeKind.Utc));
    }

    [Fact]
    public void An_update_keeps_the_uid_with_a_higher_sequence_and_a_cancel_says_so()
    {
        var (_, first) = Read(Write(CalendarInvite.Request, 0, Now.AddDays(2)));
        var (_, update) = Read(Write(CalendarInvite.Request, 1, Now.AddDays(3)));
        var (cancelCalendar, cancel) = Read(Write(CalendarInvite.Cancel, 2, Now.AddDays(3)));

        update.Uid.ShouldBe(first.Uid);
        update.Sequence.ShouldBeGreaterThan(first.Sequence);
        cancelCalendar.Method.ShouldBe("CANCEL");
        cancel.Status.ShouldBe(EventStatus.Cancelled);
        cancel.Uid.ShouldBe(first.Uid);
        cancel.Sequence.ShouldBeGreaterThan(update.Sequence);
    }

    [Fact]
    public void Without_an_attendee_it_is_a_file_to_add_to_ones_own_calendar()
    {
        var (calendar, appointment) = Read(Write(CalendarInvite.Request, 0, Now.AddDays(2), attendeeAddress: null));

        calendar.Method.ShouldBe("PUBLISH");
        appointment.Organizer.ShouldBeNull();
        appointment.Attendees.ShouldBeEmpty();
    }

    [Fact]
    public void Names_and_places_with_the_characters_icalendar_reserves_come_back_as_typed()
    {
        const string Place = "Château d'Été, bât. \"B\"; porte 3 \\ accueil";
        var ics = Write(CalendarInvite.Request, 0, Now.AddDays(3), location: string.Concat(Enumerable.Repeat(Place, 5)), attendee: "DUPONT, \"Jo\"; Léa");

        foreach (var line in ics.Split("\r\n"))
            Encoding.UTF8.GetByteCount(line).ShouldBeLessThanOrEqualTo(75, line);
        var (_, appointment) = Read(ics);
        appointment.Location.ShouldBe(string.Concat(Enumerable.Repeat(Place, 5)));
        appointment.Attendees.ShouldHaveSingleItem().CommonName.ShouldNotBeNullOrEmpty();
        appointment.Attendees.Single().Value!.ToString().ShouldBe("mailto:margaud@example.org");
    }
}
