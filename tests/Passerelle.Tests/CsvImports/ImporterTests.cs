using System.Globalization;
using System.Net;
using System.Text;
using AngleSharp.Html.Dom;
using Microsoft.EntityFrameworkCore;
using Passerelle.Candidates;
using Passerelle.CsvImports;
using Passerelle.Storage;
using Passerelle.Tests.Api;
using Passerelle.Tests.CompanyPortal;
using Passerelle.Tests.Infrastructure;

namespace Passerelle.Tests.CsvImports;

/// <summary>The CSV importer on files as French spreadsheets write them, and its page in Passerelle École.</summary>
public sealed class ImporterTests
{
    public static TheoryData<DatabaseProvider> Providers => TestDatabase.Providers;

    private static readonly string[] Messy =
    [
        "Nom;Prénom;Adresse e-mail;Téléphone;Identifiant externe",
        "Dupont;Léa;lea.dupont@example.org;06 01 02 03 04;ETU-1",
        "\"Martin\nde la Tour\";\"Jean-Éric\";jean@example.org;;ETU-2",
        "Sans;Adresse;pas-une-adresse;;ETU-3",
        "Double;Id;double@example.org;;ETU-1",
        ";;;;",
        "Crème;Brûlée;creme@example.org;;",
        ";Sans nom;sans.nom@example.org;;",
    ];

    private static readonly string[] ExpectedRejections =
    [
        "Ligne 5 : L'adresse e-mail n'est pas valide.",
        "Ligne 6 : L'identifiant externe « ETU-1 » figure déjà ligne 2 : une seule ligne par candidat.",
        "Ligne 9 : Indiquez le nom.",
    ];

    public static TheoryData<string, byte[]> MessyFiles => new()
    {
        { "Windows-1252, ';', CRLF", Encoding.GetEncoding(1252).GetBytes(string.Join("\r\n", Messy) + "\r\n") },
        { "UTF-8 with BOM, ','", [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(string.Join("\n", Messy).Replace(';', ',') + "\n")] },
        { "UTF-8 without BOM, ';', no final line break", Encoding.UTF8.GetBytes(string.Join("\n", Messy)) },
    };

    static ImporterTests() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    [Theory]
    [MemberData(nameof(MessyFiles))]
    public async Task A_messy_file_imports_its_good_rows_and_reports_each_rejected_row_with_its_line(string file, byte[] content)
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var school = await Seed.SchoolAsync(database);
        await using var db = database.NewContext().ForSchool(school.School.Id);
        var plan = await Importer.CheckAsync(db, ImportKind.Candidates, content, CancellationToken.None);
        plan.Problem.ShouldBeNull(file);
        plan.Rejected.Select(r => $"Ligne {r.Line} : {r.Reason}").ShouldBe(ExpectedRejections, file);
        plan.Rows.Select(r => r.Line).ShouldBe([2, 3, 8], file);
        (await db.Candidates.CountAsync()).ShouldBe(1, "checking writes nothing");

        var report = await Importer.RunAsync(db, plan, ImportedBy.CommandLine, Seed.Now, null, CancellationToken.None);
        report.ShouldBe(new ImportReport(3, 0, plan.Rejected));
        db.ChangeTracker.Clear();
        var martin = await db.Candidates.SingleAsync(c => c.ExternalId == "ETU-2");
        (martin.LastName, martin.FirstName).ShouldBe(("Martin de la Tour", "Jean-Éric"), "a quoted field's line break is part of the field (a name is kept on one line); accents kept");
        (await db.Candidates.SingleAsync(c => c.Email == "creme@example.org")).FirstName.ShouldBe("Brûlée");
        (await db.Candidates.SingleAsync(c => c.ExternalId == "ETU-1")).Phone.ShouldBe("06 01 02 03 04");

        // The same file again updates (by external id, or by e-mail without one): nothing is duplicated.
        var again = await Importer.RunAsync(db, await Importer.CheckAsync(db, ImportKind.Candidates, content, CancellationToken.None), ImportedBy.CommandLine, Seed.Now, null, CancellationToken.None);
        (again.Created, again.Updated).ShouldBe((0, 3));
        (await db.Candidates.CountAsync()).ShouldBe(4);
        (await db.ChangeRecords.CountAsync()).ShouldBe(0, "the same values: nothing to put in a history");

        // A corrected phone number is in the candidate's history, as an edit in Passerelle École would be.
        var corrected = Encoding.UTF8.GetBytes("Nom;Prénom;Adresse e-mail;Téléphone;Identifiant externe\nDupont;Léa;lea.dupont@example.org;07 99 88 77 66;ETU-1\n");
        (await Importer.RunAsync(db, await Importer.CheckAsync(db, ImportKind.Candidates, corrected, CancellationToken.None), ImportedBy.CommandLine, Seed.Now, null,
            CancellationToken.None)).Updated.ShouldBe(1);
        var lea = await db.Candidates.SingleAsync(c => c.ExternalId == "ETU-1");
        var record = await db.ChangeRecords.SingleAsync();
        (record.SubjectKind, record.SubjectId, record.ActorName, record.StaffId).ShouldBe((Changes.ChangeSubject.Candidate, lea.Id, ImportedBy.CommandLine.Name, (Guid?)null));
        record.Fields().ShouldBe([new Changes.FieldChange("Téléphone", "06 01 02 03 04", "07 99 88 77 66")]);
    }

    [Theory]
    [InlineData("", "Le fichier est vide : la première ligne doit nommer les colonnes.")]
    [InlineData("Nom;Prénom;E-mail\n", "Le fichier ne contient aucune ligne de données sous la ligne des colonnes.")]
    [InlineData("Nom;Prénom;Téléphone\nDupont;Léa;06\n", "Colonne(s) manquante(s) : « e-mail ». La première ligne du fichier doit nommer les colonnes (trouvées : « Nom », « Prénom », « Téléphone »).")]
    public async Task A_file_that_cannot_be_imported_says_why_and_nothing_is_written(string content, string problem)
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var school = await Seed.SchoolAsync(database);
        await using var db = database.NewContext().ForSchool(school.School.Id);
        var before = await db.Candidates.CountAsync();
        (await Importer.CheckAsync(db, ImportKind.Candidates, Encoding.UTF8.GetBytes(content), CancellationToken.None)).Problem.ShouldBe(problem);
        (await db.Candidates.CountAsync()).ShouldBe(before);
    }

    [Fact]
    public async Task A_file_saved_as_utf16_is_refused_with_how_to_save_it()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var school = await Seed.SchoolAsync(database);
        await using var db = database.NewContext().ForSchool(school.School.Id);
        // Excel's "Texte Unicode": UTF-16 with its byte order mark, a NUL byte after every ASCII character.
        var content = Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes("Nom;Prénom;E-mail\nDupont;Léa;lea@example.org\n")).ToArray();
        (await Importer.CheckAsync(db, ImportKind.Candidates, content, CancellationToken.None)).Problem.ShouldBe(
            "Le fichier contient des caractères nuls : il est sans doute enregistré en « Texte Unicode » (UTF-16). " +
            "Enregistrez-le au format « CSV UTF-8 » ou « CSV (séparateur : point-virgule) » et recommencez.");
    }

    public static TheoryData<string, byte[], string> FilesThatAreNotWhatTheySeem => new()
    {
        {
            "a quote never closed", Encoding.UTF8.GetBytes("SIRET;Intitulé;Description;Identifiant externe\n901 234 567 00013;Web;\"Deux ans;OFF-1\n901 234 567 00013;Compta;Un an;OFF-2\n"),
            "Ligne 2 : un guillemet (\") ouvre une valeur qui n'est jamais fermée ; la suite du fichier serait lue comme cette seule valeur. " +
            "Fermez le guillemet ou retirez-le, puis recommencez."
        },
        {
            "UTF-8 with one line in Windows-1252",
            [.. Encoding.UTF8.GetBytes("SIRET;Intitulé;Description\n901 234 567 00013;Développeur;Créer\n"), .. Encoding.GetEncoding(1252).GetBytes("901 234 567 00013;Comptable;Tenir les comptes à Sète\n")],
            "Ligne 3 : un caractère n'est pas en UTF-8 comme le reste du fichier (un texte collé d'un autre document ?). Lu tel quel, des noms seraient " +
            "déformés. Enregistrez le fichier de nouveau au format « CSV UTF-8 » et recommencez."
        },
        {
            "a workbook", [0x50, 0x4B, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00],
            "Ce fichier est un classeur (Excel ou LibreOffice), pas un fichier CSV. Ouvrez-le dans votre tableur et enregistrez-le au format « CSV UTF-8 » " +
            "ou « CSV (séparateur : point-virgule) », puis recommencez."
        },
        {
            "a PDF", Encoding.ASCII.GetBytes("%PDF-1.7\n%\u00e2\u00e3\n1 0 obj"),
            "Ce fichier est un PDF, pas un fichier CSV. Exportez les données depuis votre tableur ou votre logiciel : enregistrez-le au format « CSV UTF-8 » " +
            "ou « CSV (séparateur : point-virgule) », puis recommencez."
        },
    };

    [Theory]
    [MemberData(nameof(FilesThatAreNotWhatTheySeem))]
    public async Task A_file_that_would_be_read_wrong_is_refused_with_its_line_and_nothing_is_written(string file, byte[] content, string problem)
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var school = await Seed.SchoolAsync(database);
        await using var db = database.NewContext().ForSchool(school.School.Id);
        var plan = await Importer.CheckAsync(db, ImportKind.Offers, content, CancellationToken.None);
        plan.Problem.ShouldBe(problem, file);
        (plan.ToCreate, plan.Rejected.Count).ShouldBe((0, 0), file);
    }

    [Fact]
    public async Task A_file_longer_than_the_databases_parameter_limit_is_checked()
    {
        // SQLite takes 32,766 parameters a statement: the file's 33,000 external ids are one.
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var school = await Seed.SchoolAsync(database);
        await using var db = database.NewContext().ForSchool(school.School.Id);
        var file = new StringBuilder("Nom;Prénom;E-mail;Identifiant externe\n");
        for (var i = 0; i < 33_000; i++)
            file.Append(CultureInfo.InvariantCulture, $"Nom{i};Prénom;c{i}@example.org;ETU-{i}\n");
        var plan = await Importer.CheckAsync(db, ImportKind.Candidates, Encoding.UTF8.GetBytes(file.ToString()), CancellationToken.None);
        (plan.Problem, plan.ToCreate, plan.Rejected.Count).ShouldBe((null, 33_000, 0));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task The_same_file_imported_twice_at_once_creates_each_candidate_once(DatabaseProvider provider)
    {
        // Two people import the same export (no external ids), each checked before the other wrote anything.
        await using var database = await TestDatabase.CreateAsync(provider);
        var school = await Seed.SchoolAsync(database);
        var file = Encoding.UTF8.GetBytes("Nom;Prénom;E-mail\nDupont;Léa;lea@example.org\nMartin;Jean;jean@example.org\n");
        await using var first = database.NewContext().ForSchool(school.School.Id);
        await using var second = database.NewContext().ForSchool(school.School.Id);
        var before = await first.Candidates.CountAsync();
        var firstPlan = await Importer.CheckAsync(first, ImportKind.Candidates, file, CancellationToken.None);
        var secondPlan = await Importer.CheckAsync(second, ImportKind.Candidates, file, CancellationToken.None);
        (firstPlan.ToCreate, secondPlan.ToCreate).ShouldBe((2, 2));

        (await Importer.RunAsync(first, firstPlan, ImportedBy.CommandLine, Seed.Now, null, CancellationToken.None)).Created.ShouldBe(2);
        var late = await Importer.RunAsync(second, secondPlan, ImportedBy.CommandLine, Seed.Now, null, CancellationToken.None);
        (late.Created, late.Problem).ShouldBe((0, Importer.ChangedMeanwhile));
        await using var check = database.NewContext().ForSchool(school.School.Id);
        (await check.Candidates.CountAsync()).ShouldBe(before + 2, "nobody twice");
    }

    [Fact]
    public async Task A_row_without_external_id_updates_the_candidate_with_that_address_even_one_the_platform_named()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var (schoolId, candidateId) = await SchoolWithJeanMartinAsync(database, phone: null);
        await using var db = database.NewContext().ForSchool(schoolId);
        var plan = await Importer.CheckAsync(db, ImportKind.Candidates,
            Encoding.UTF8.GetBytes("Nom;Prénom;E-mail;Téléphone\nMartin;Jean;Jean@Example.org;06 01 02 03 04\n"), CancellationToken.None);
        (plan.ToCreate, plan.ToUpdate).ShouldBe((0, 1), "Jean Martin (ETU-2) is known by his address");
        await Importer.RunAsync(db, plan, ImportedBy.CommandLine, Seed.Now, null, CancellationToken.None);
        await using var check = database.NewContext().ForSchool(schoolId);
        var jean = await check.Candidates.SingleAsync(c => c.LastName == "Martin");
        (jean.Id, jean.ExternalId, jean.Phone).ShouldBe((candidateId, "ETU-2", "06 01 02 03 04"));

        // Two candidates with that address: the row cannot say which one.
        check.Candidates.Add(new Candidate
        {
            Id = Guid.NewGuid(), SchoolId = schoolId, LastName = "Martin", FirstName = "Paul", Email = "jean@example.org", CreatedAt = Seed.Now,
        });
        await check.SaveChangesAsync();
        var ambiguous = await Importer.CheckAsync(db, ImportKind.Candidates,
            Encoding.UTF8.GetBytes("Nom;Prénom;E-mail\nMartin;Jean;jean@example.org\n"), CancellationToken.None);
        ambiguous.Rejected.ShouldHaveSingleItem().Reason.ShouldBe(
            "Plusieurs candidats ont l'adresse jean@example.org : ajoutez la colonne « identifiant externe » pour dire lequel.");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_candidate_erased_between_the_check_and_the_import_is_not_brought_back(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var (schoolId, candidateId) = await SchoolWithJeanMartinAsync(database, phone: null);
        await using var db = database.NewContext().ForSchool(schoolId);
        var plan = await Importer.CheckAsync(db, ImportKind.Candidates,
            Encoding.UTF8.GetBytes("Nom;Prénom;E-mail;Téléphone;Identifiant externe\nMartin;Jean;jean@example.org;06 01 02 03 04;ETU-2\n"), CancellationToken.None);
        plan.ToUpdate.ShouldBe(1);
        // Erased meanwhile (what Erasure writes of the row, claim first).
        await using (var other = database.NewContext().ForSchool(schoolId))
            await other.Candidates.Where(c => c.Id == candidateId).ExecuteUpdateAsync(set => set
                .SetProperty(c => c.ErasedAt, Seed.Now).SetProperty(c => c.LastName, "").SetProperty(c => c.FirstName, "Candidat effacé")
                .SetProperty(c => c.Email, "").SetProperty(c => c.ExternalId, (string?)null));

        var report = await Importer.RunAsync(db, plan, ImportedBy.CommandLine, Seed.Now, null, CancellationToken.None);
        (report.Created, report.Updated, report.Problem).ShouldBe((0, 0, Importer.ChangedMeanwhile));
        await using var check = database.NewContext().ForSchool(schoolId);
        var row = await check.Candidates.SingleAsync(c => c.Id == candidateId);
        (row.LastName, row.Email, row.Phone, row.ExternalId).ShouldBe(("", "", null, null), "the erasure stands");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_candidate_edited_between_the_check_and_the_import_takes_the_files_values_and_the_history_says_from_what(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var (schoolId, candidateId) = await SchoolWithJeanMartinAsync(database, phone: "06 00 00 00 01");
        await using var db = database.NewContext().ForSchool(schoolId);
        var plan = await Importer.CheckAsync(db, ImportKind.Candidates,
            Encoding.UTF8.GetBytes("Nom;Prénom;E-mail;Téléphone;Identifiant externe\nMartin;Jean;jean@example.org;06 00 00 00 03;ETU-2\n"), CancellationToken.None);
        // A colleague corrects the phone meanwhile.
        await using (var other = database.NewContext().ForSchool(schoolId))
            await other.Candidates.Where(c => c.Id == candidateId).ExecuteUpdateAsync(set => set.SetProperty(c => c.Phone, "06 00 00 00 02"));

        (await Importer.RunAsync(db, plan, ImportedBy.CommandLine, Seed.Now, null, CancellationToken.None)).Updated.ShouldBe(1);
        await using var check = database.NewContext().ForSchool(schoolId);
        (await check.Candidates.SingleAsync(c => c.Id == candidateId)).Phone.ShouldBe("06 00 00 00 03", "the file's value");
        (await check.ChangeRecords.SingleAsync(r => r.SubjectId == candidateId)).Fields()
            .ShouldBe([new Changes.FieldChange("Téléphone", "06 00 00 00 02", "06 00 00 00 03")]);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_row_saved_by_someone_else_between_the_check_and_the_import_leaves_everything_unimported(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var school = await Seed.SchoolAsync(database);
        await using var db = database.NewContext().ForSchool(school.School.Id);
        var file = "Nom;Prénom;E-mail;Identifiant externe\nDupont;Léa;lea@example.org;ETU-1\nMartin;Jean;jean@example.org;ETU-2\n";
        var plan = await Importer.CheckAsync(db, ImportKind.Candidates, Encoding.UTF8.GetBytes(file), CancellationToken.None);
        plan.ToCreate.ShouldBe(2);
        var before = await db.Candidates.CountAsync();
        await using (var other = database.NewContext().ForSchool(school.School.Id))
        {
            other.Candidates.Add(new Candidate
            {
                Id = Guid.NewGuid(), SchoolId = school.School.Id, LastName = "Martin", FirstName = "Jean", Email = "jean@example.org",
                ExternalId = "ETU-2", CreatedAt = Seed.Now,
            });
            await other.SaveChangesAsync();
        }

        var report = await Importer.RunAsync(db, plan, ImportedBy.CommandLine, Seed.Now, null, CancellationToken.None);
        (report.Created, report.Updated, report.Problem).ShouldBe((0, 0, Importer.ChangedMeanwhile));
        db.ChangeTracker.Clear();
        (await db.Candidates.CountAsync()).ShouldBe(before + 1, "only the other person's candidate: Léa was not imported either");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Offers_are_imported_for_the_schools_companies_and_updated_by_external_id(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var school = await Seed.SchoolAsync(database);
        var other = await Seed.SchoolAsync(database, "Autre");
        var siret = school.Company.Siret;
        var csv = string.Join("\n",
            "SIRET,Intitulé,Description,Lieu,Date de début,Active,Référence",
            $"{siret[..3]} {siret[3..]},Alternance web,\"Deux ans, en équipe\",Bordeaux,01/09/2027,oui,OFF-1",
            $"{other.Company.Siret},Ailleurs,Une offre,,,,OFF-2",
            $"{siret},Sans date,Une offre,,31/02/2027,,OFF-3",
            $"{siret},Inactive,Une offre,,,non,OFF-4",
            $"12345678901234,Mauvais SIRET,Une offre,,,,OFF-5",
            $"{siret},,Sans intitulé,,,,OFF-6",
            $"{siret},Statut flou,Une offre,,,peut-être,OFF-7");
        await using var db = database.NewContext().ForSchool(school.School.Id);
        var plan = await Importer.CheckAsync(db, ImportKind.Offers, Encoding.UTF8.GetBytes(csv), CancellationToken.None);
        plan.Rejected.Select(r => $"{r.Line}: {r.Reason}").ShouldBe(
        [
            $"3: Aucune entreprise de votre liste n'a le SIRET {other.Company.Siret} : ajoutez-la d'abord (Entreprises et offres).",
            "4: La date de début « 31/02/2027 » n'est pas une date (JJ/MM/AAAA).",
            "6: Ce SIRET n'est pas valide : il compte 14 chiffres et sa clé de contrôle doit être juste.",
            "7: Indiquez l'intitulé et la description de l'offre.",
            "8: « peut-être » : indiquez oui ou non pour l'offre active.",
        ]);
        (await Importer.RunAsync(db, plan, ImportedBy.CommandLine, Seed.Now, null, CancellationToken.None)).Created.ShouldBe(2);
        db.ChangeTracker.Clear();
        var web = await db.JobOffers.SingleAsync(o => o.ExternalId == "OFF-1");
        (web.Title, web.Description, web.Location, web.StartsOn, web.IsActive, web.CompanyId)
            .ShouldBe(("Alternance web", "Deux ans, en équipe", (string?)"Bordeaux", (DateOnly?)new DateOnly(2027, 9, 1), true, school.Company.Id));
        (await db.JobOffers.SingleAsync(o => o.ExternalId == "OFF-4")).IsActive.ShouldBeFalse();

        var update = $"siret;titre;description;active;identifiant externe\n{siret};Alternance web (2 postes);Deux ans;non;OFF-1\n";
        var report = await Importer.RunAsync(db, await Importer.CheckAsync(db, ImportKind.Offers, Encoding.UTF8.GetBytes(update), CancellationToken.None), ImportedBy.CommandLine, Seed.Now, null, CancellationToken.None);
        (report.Created, report.Updated).ShouldBe((0, 1));
        db.ChangeTracker.Clear();
        var updated = await db.JobOffers.SingleAsync(o => o.ExternalId == "OFF-1");
        (updated.Title, updated.IsActive).ShouldBe(("Alternance web (2 postes)", false));
        // The offer's history says what the file changed and who imported it, as after an edit in Passerelle École.
        var history = await db.ChangeRecords.Where(c => c.SubjectId == updated.Id).ToListAsync();
        history.Single().ActorName.ShouldBe("Import CSV (ligne de commande)");
        history.Single().Fields().Select(f => (f.Field, f.Before, f.After)).ShouldBe([
            ("Intitulé", "Alternance web", "Alternance web (2 postes)"), ("Description", "Deux ans, en équipe", "Deux ans"),
            ("Lieu", "Bordeaux", null), ("Début", "01/09/2027", null), ("État", "Active", "Inactive")]);

        // A file without the "active" column leaves each offer as it is; an offer does not move to another company.
        var (second, _) = await Passerelle.Companies.CompanyRecords.AddAsync(db, "Seconde SA", Seed.NextSiret(), null, false, Seed.Now, CancellationToken.None);
        var again = $"siret;titre;description;identifiant externe\n{siret};Alternance web;Deux ans;OFF-1\n{second!.Siret};Déplacée;Une offre;OFF-4\n";
        var moved = await Importer.CheckAsync(db, ImportKind.Offers, Encoding.UTF8.GetBytes(again), CancellationToken.None);
        moved.Rejected.Select(r => $"{r.Line}: {r.Reason}").ShouldBe(
            ["3: L'offre « OFF-4 » est celle d'une autre entreprise : l'entreprise d'une offre ne change pas (créez une nouvelle offre)."]);
        (await Importer.RunAsync(db, moved, ImportedBy.CommandLine, Seed.Now, null, CancellationToken.None)).Updated.ShouldBe(1);
        db.ChangeTracker.Clear();
        (await db.JobOffers.SingleAsync(o => o.ExternalId == "OFF-1")).IsActive.ShouldBeFalse("the file did not say");
        (await db.JobOffers.SingleAsync(o => o.ExternalId == "OFF-4")).CompanyId.ShouldBe(school.Company.Id);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    [Trait(Category.Name, Category.Smtp)]
    public async Task The_import_page_previews_then_imports_and_another_school_cannot_use_the_upload(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        using var staff = await world.StaffClientAsync("demo.ecole");
        var (_, page) = await Browserless.GetAsync(staff, "/ecole/import");
        var file = Encoding.GetEncoding(1252).GetBytes(string.Join("\r\n", Messy) + "\r\n");
        int Count()
        {
            using var db = world.Database.NewContext().ForSchool(Passerelle.Demo.DemoData.SchoolId);
            return db.Candidates.Count();
        }
        var before = Count();

        using var upload = new MultipartFormDataContent
        {
            { new StringContent(page.QuerySelector("form[enctype] input[name=__RequestVerificationToken]")!.GetAttribute("value")!), "__RequestVerificationToken" },
            { new StringContent("Candidates"), "Kind" },
            { new ByteArrayContent(file), "file", "export.csv" },
        };
        var preview = await staff.PostAsync("/ecole/import?handler=Preview", upload);
        preview.StatusCode.ShouldBe(HttpStatusCode.OK);
        var previewPage = await Browserless.ReadAsync(preview);
        previewPage.QuerySelector(".import-summary")!.TextContent.ShouldBe("3 candidats à créer, 0 à mettre à jour, 3 ligne(s) rejetée(s).");
        previewPage.QuerySelectorAll("table.import-preview tbody tr").Length.ShouldBe(3);
        previewPage.QuerySelectorAll("table.import-rejected tbody tr").Select(r => r.TextContent).ShouldBe(
            ExpectedRejections.Select(e => System.Text.RegularExpressions.Regex.Replace(e, "^Ligne (\\d+) : ", "$1")).ToList());
        Count().ShouldBe(before, "the preview writes nothing");

        // Another school's staff cannot import this upload.
        using var otherStaff = await world.StaffClientAsync("demo.cfa");
        var (_, otherPage) = await Browserless.GetAsync(otherStaff, "/ecole/import");
        var form = (IHtmlFormElement)previewPage.QuerySelector("form[action*=Import]")!;
        var stolen = await otherStaff.PostAsync("/ecole/import?handler=Import", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = otherPage.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!,
            ["Kind"] = "Candidates", ["Upload"] = form.QuerySelector("input[name=Upload]")!.GetAttribute("value")!,
        }));
        stolen.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await Browserless.ReadAsync(stolen)).Text().ShouldContain(Passerelle.SchoolOffice.ImportModel.UploadGone);

        var imported = await Browserless.SubmitAsync(staff, previewPage, "Importer 3 ligne(s)", new Dictionary<string, string>());
        imported.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await Browserless.ReadAsync(imported)).Text().ShouldContain("3 candidats créé(e)s, 0 mis à jour, 3 ligne(s) rejetée(s).");
        Count().ShouldBe(before + 3);
        // The upload is used once.
        var twice = await Browserless.SubmitAsync(staff, previewPage, "Importer 3 ligne(s)", new Dictionary<string, string>());
        twice.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        Count().ShouldBe(before + 3);
    }

    /// <summary>A school with one candidate, Jean Martin (external id ETU-2), as another session saved him.</summary>
    private static async Task<(Guid School, Guid Candidate)> SchoolWithJeanMartinAsync(TestDatabase database, string? phone)
    {
        var school = await Seed.SchoolAsync(database);
        var candidate = new Candidate
        {
            Id = Guid.NewGuid(), SchoolId = school.School.Id, LastName = "Martin", FirstName = "Jean", Email = "jean@example.org", Phone = phone,
            ExternalId = "ETU-2", CreatedAt = Seed.Now,
        };
        await using var other = database.NewContext().ForSchool(school.School.Id);
        other.Candidates.Add(candidate);
        await other.SaveChangesAsync();
        return (school.School.Id, candidate.Id);
    }
}
