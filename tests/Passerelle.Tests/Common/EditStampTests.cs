using Passerelle.Changes;

namespace Passerelle.Tests.Common;

/// <summary>The three-way merge of an edit form (EditStamp): what counts as "left as shown", and what is a conflict.</summary>
public class EditStampTests
{
    [Fact]
    public void A_field_sent_back_as_a_browser_sends_it_is_left_as_shown()
    {
        object?[] shown = ["Bordeaux", "Ligne 1\nLigne 2", null, new DateOnly(2027, 9, 1), true];
        var stamp = EditStamp.Of(shown);
        object?[] current = ["Pessac", "Autre texte", "12 rue X", new DateOnly(2027, 10, 1), false];

        // A textarea comes back with CR LF, fields with spaces around, an empty field as "" or null.
        var merged = EditStamp.Merge(stamp, [" Bordeaux ", "Ligne 1\r\nLigne 2", "", new DateOnly(2027, 9, 1), true], current);

        merged.Conflicts.ShouldBeEmpty();
        merged.Values.ShouldBe(current, "every field left as shown takes the record's value now");
    }

    [Fact]
    public void A_field_changed_on_both_sides_is_a_conflict_unless_both_wrote_the_same()
    {
        var stamp = EditStamp.Of("A", "B", "C");

        var merged = EditStamp.Merge(stamp, ["A2", "B2", "C"], ["A3", "B2", "C3"]);

        merged.Conflicts.ShouldBe([0]);
        merged.Values.ShouldBe(["A2", "B2", "C3"], "the form's value where it changed, the record's where it did not");
    }

    [Fact]
    public void The_conflict_names_each_field_both_changed_with_its_value_now_as_a_person_reads_it()
    {
        var stamp = EditStamp.Of("Bordeaux", true, "Texte");
        string[] labels = ["Lieu", "Activé", "Corps"];

        var conflict = EditStamp.Merge(stamp, ["Pessac", false, "Texte"], ["Mérignac", true, "Ligne 1\nLigne 2"]).Conflict("ce modèle", labels,
            ["Mérignac", true, "Ligne 1\nLigne 2"]);
        var both = EditStamp.Merge(stamp, ["Pessac", false, "Autre"], ["Mérignac", null, "Ligne 1\nLigne 2"]).Conflict("ce modèle", labels,
            ["Mérignac", null, "Ligne 1\nLigne 2"]);

        conflict.ShouldBe("Pendant que vous corrigiez ce modèle, quelqu'un d'autre a modifié : Lieu (désormais « Mérignac »). Rien n'est enregistré : " +
            "vos corrections sont reprises ci-dessous avec les autres informations à jour (voir l'historique). Vérifiez-les, puis enregistrez à nouveau.");
        both!.ShouldContain("Lieu (désormais « Mérignac ») ; Activé (désormais « (vide) ») ; Corps (désormais « Ligne 1 Ligne 2 »)");
        EditStamp.Merge(stamp, ["Pessac", true, "Texte"], ["Bordeaux", false, "Texte"]).Conflict("ce modèle", labels, ["Bordeaux", false, "Texte"])
            .ShouldBeNull("different fields changed: no conflict");
        EditStamp.Merge(EditStamp.Of(true), [false], [false]).Conflict("x", ["Activé"], [false]).ShouldBeNull("the same change on both sides");
        EditStamp.Merge(EditStamp.Of(true), [false], [null]).Conflict("x", ["Activé"], [false])!.ShouldContain("Activé (désormais « non »)");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("00000000.11111111")]
    public void Without_a_stamp_of_this_form_the_form_s_values_are_saved_as_before(string? stamp)
    {
        var merged = EditStamp.Merge(stamp, ["A2", "B2", "C"], ["A3", "B3", "C3"]);

        merged.Conflicts.ShouldBeEmpty();
        merged.Values.ShouldBe(["A2", "B2", "C"]);
    }
}
