using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Passerelle.Hosting;

/// <summary>The French page for an error answered without a page of its own (expired form, unknown address…).</summary>
[Microsoft.AspNetCore.Mvc.IgnoreAntiforgeryToken]
public sealed class ErrorPageModel : PageModel
{
    public int Code { get; private set; }

    public string Title => Code switch
    {
        400 => "Le formulaire n'a pas pu être pris en compte",
        413 => "Le formulaire envoyé est trop volumineux",
        422 => "Le formulaire contient des valeurs non valides",
        403 => "Accès refusé",
        404 => "Page introuvable",
        405 => "Action impossible à cette adresse",
        429 => "Trop de tentatives",
        _ => "Une erreur est survenue",
    };

    public string Explanation => Code switch
    {
        400 => "La page était peut-être ouverte depuis trop longtemps. Rechargez-la et recommencez : rien n'a été enregistré.",
        413 => "Rien n'a été enregistré. Raccourcissez les textes saisis, ou envoyez un fichier plus petit (un document : 10 Mo au plus ; un fichier à importer : 5 Mo au plus), et recommencez.",
        422 => "Rien n'a été enregistré. Revenez à la page précédente, corrigez et recommencez.",
        403 => "Vous n'avez pas accès à cette page.",
        404 => "Cette page n'existe pas, ou elle ne vous est pas accessible.",
        405 => "Cette adresse ne permet pas cette action.",
        429 => "Patientez une minute avant de réessayer.",
        _ => "Réessayez dans quelques instants. Si le problème continue, contactez votre centre de formation.",
    };

    /// <summary>What was wrong with the form, for a 422 (see <see cref="FormValidation"/>).</summary>
    public IReadOnlyList<string> FormErrors => FormValidation.Errors(HttpContext);

    // No handler parameters: binding one would read the form of a re-executed POST, which may be the oversized body
    // this page is explaining.
    public void OnGet() => Show();

    public void OnPost() => Show();

    private void Show()
    {
        // An address typed by hand (/erreur/999) is a page that does not exist, not a server error.
        Code = int.TryParse(RouteData.Values["code"]?.ToString(), out var value) && value is >= 400 and <= 599 ? value : 404;
        // Reached by a redirect (access denied) rather than a re-execution: answer with the code itself.
        Response.StatusCode = Code;
    }
}
