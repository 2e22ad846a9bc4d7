using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Passerelle.Hosting;

namespace Passerelle.Referrals;

/// <summary>The appointment as the company types it, in Paris time.</summary>
public sealed class AppointmentForm
{
    [Display(Name = "Date de rendez-vous")]
    public DateOnly? Date { get; set; }

    [Range(0, 23, ErrorMessage = "L'heure va de 0 à 23.")]
    [Display(Name = "Heure")]
    public int? Hour { get; set; }

    [Range(0, 59, ErrorMessage = "Les minutes vont de 0 à 59.")]
    [Display(Name = "Minutes")]
    public int? Minute { get; set; }

    [StringLength(300, ErrorMessage = "Le lieu ne peut dépasser 300 caractères.")]
    [Display(Name = "Lieu ou lien de visioconférence")]
    public string? Location { get; set; }

    [StringLength(2000, ErrorMessage = "Le commentaire ne peut dépasser 2000 caractères.")]
    [Display(Name = "Commentaire")]
    public string? Comment { get; set; }

    /// <summary>The instant, or null with the reason in French (missing, or an hour that does not exist that day).</summary>
    public (DateTimeOffset? Instant, string? Problem) ToUtc()
    {
        if (Date is not { } date || Hour is not { } hour || Minute is not { } minute || hour is < 0 or > 23 || minute is < 0 or > 59)
            return (null, "Indiquez la date et l'heure du rendez-vous.");
        return ParisTime.TryToUtc(date.ToDateTime(new TimeOnly(hour, minute)), out var instant)
            ? (instant, null)
            : (null, "Cette heure n'existe pas ce jour-là (passage à l'heure d'été) : choisissez-en une autre.");
    }

    /// <summary>
    /// "Accept the candidate with this appointment", or why the form cannot say so: a field the binder refused (the
    /// page's <paramref name="modelState"/>), a missing date or hour, an hour that does not exist that day.
    /// </summary>
    public Answer ToAnswer(ModelStateDictionary modelState)
    {
        var (startsAt, problem) = ToUtc();
        if (!modelState.IsValid || startsAt is null)
            return new Answer.Unreadable(FormValidation.FirstError(modelState) ?? problem ?? "Vérifiez le rendez-vous saisi.");
        return new Answer.AcceptCandidate(new Appointment(startsAt.Value, Answer.Clean(Location), Answer.Clean(Comment)));
    }

    public string? DateText => Date?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
