using System.Text;
using Passerelle.Email;
using Passerelle.Referrals;

namespace Passerelle.Tests.Email;

public class CalendarTests
{
    private static readonly Guid ReferralId = Guid.Parse("0193c2a0-0000-7000-8000-000000000401");
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 9, 30, 0, TimeSpan.Zero);

    private static string Write(CalendarInvite method, int sequence, DateTimeOffset startsAt, string? location = "12 rue des Écoles, Bordeaux; 2e étage") =>
        CalendarInvitation.Write(method, ReferralId, sequence, startsAt, "Entretien Laboriosam – Et laboriosam praesentium", location,
            "Merci d'apporter votre CV.\nÀ bientôt", "Passerelle School", "passerelle@passerelle.test", "TECHER Margaud", "margaud@example.org", Now);

    [Fact]
    public void A_proposal_is_a_request_in_paris_time_with_a_stable_uid()
    {
        // 22/06/2020 10h00 in Paris is 08:00 UTC (summer time).
        var ics = Write(CalendarInvite.Request, 0, new DateTimeOffset(2020, 6, 22, 8, 0, 0, TimeSpan.Zero));

        ics.ShouldStartWith("BEGIN:VCALENDAR\r\n");
        ics.ShouldEndWith("END:VCALENDAR\r\n");
        ics.ShouldContain("METHOD:REQUEST\r\n");
        ics.ShouldContain("TZID:Europe/Paris\r\n");
        ics.ShouldContain($"UID:referral-{ReferralId:N}@passerelle\r\n");
        ics.ShouldContain("SEQUENCE:0\r\n");
        ics.ShouldContain("DTSTART;TZID=Europe/Paris:20200622T100000\r\n");
        ics.ShouldContain("DTEND;TZID=Europe/Paris:20200622T110000\r\n");
        ics.ShouldContain("DTSTAMP:20260302T093000Z\r\n");
        ics.ShouldContain("STATUS:CONFIRMED\r\n");
        Unfold(ics).ShouldContain("LOCATION:12 rue des Écoles\\, Bordeaux\\; 2e étage\r\n");
        Unfold(ics).ShouldContain("DESCRIPTION:Merci d'apporter votre CV.\\nÀ bientôt\r\n");
    }

    [Fact]
    public void A_winter_appointment_uses_winter_time()
    {
        var ics = Write(CalendarInvite.Request, 0, new DateTimeOffset(2026, 1, 15, 13, 30, 0, TimeSpan.Zero));

        ics.ShouldContain("DTSTART;TZID=Europe/Paris:20260115T143000\r\n");
    }

    [Fact]
    public void An_update_keeps_the_uid_with_a_higher_sequence_and_a_cancel_says_so()
    {
        var update = Write(CalendarInvite.Request, 1, Now.AddDays(3));
        var cancel = Write(CalendarInvite.Cancel, 2, Now.AddDays(3));

        update.ShouldContain($"UID:referral-{ReferralId:N}@passerelle\r\n");
        update.ShouldContain("SEQUENCE:1\r\n");
        cancel.ShouldContain("METHOD:CANCEL\r\n");
        cancel.ShouldContain("STATUS:CANCELLED\r\n");
        cancel.ShouldContain("SEQUENCE:2\r\n");
        cancel.ShouldContain($"UID:referral-{ReferralId:N}@passerelle\r\n");
    }

    [Fact]
    public void Lines_are_folded_at_75_octets_without_splitting_a_character()
    {
        var ics = Write(CalendarInvite.Request, 0, Now.AddDays(3), location: string.Concat(Enumerable.Repeat("Château d'Été ", 20)));

        foreach (var line in ics.Split("\r\n"))
            Encoding.UTF8.GetByteCount(line).ShouldBeLessThanOrEqualTo(75, line);
        Unfold(ics).ShouldContain("LOCATION:" + string.Concat(Enumerable.Repeat("Château d'Été ", 20)) + "\r\n");
    }

    private static string Unfold(string ics) => ics.Replace("\r\n ", "", StringComparison.Ordinal);
}
