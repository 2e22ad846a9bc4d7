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
        403 => "Accès refusé",
        404 => "Page introuvable",
        405 => "Action impossible à cette adresse",
        429 => "Trop de tentatives",
        _ => "Une erreur est survenue",
    };

    public string Explanation => Code switch
    {
        400 => "La page était peut-être ouverte depuis trop longtemps. Rechargez-la et recommencez : rien n'a été enregistré.",
        403 => "Vous n'avez pas accès à cette page.",
        404 => "Cette page n'existe pas, ou elle ne vous est pas accessible.",
        405 => "Cette adresse ne permet pas cette action.",
        429 => "Patientez une minute avant de réessayer.",
        _ => "Réessayez dans quelques instants. Si le problème continue, contactez votre centre de formation.",
    };

    public void OnGet(int code) => Show(code);

    public void OnPost(int code) => Show(code);

    private void Show(int code)
    {
        Code = code is >= 400 and <= 599 ? code : 500;
        // Reached by a redirect (access denied) rather than a re-execution: answer with the code itself.
        Response.StatusCode = Code;
    }
}
