using System.Net;
using DprCluster.Silo.Api;
using DprCluster.Silo.Client;
using DprCluster.Testing;
using OpenQA.Selenium;

namespace DprCluster.WebConsole.Tests;

/// <summary>The web console in a real browser (headless chromium) against a real silo.</summary>
public sealed class ConsoleTests(ConsoleSession session) : IClassFixture<ConsoleSession>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private IWebDriver Browser => session.Browser;

    private void Open(string view)
    {
        Browser.Navigate().GoToUrl(session.ApiUrl);
        Browser.FindElement(By.CssSelector($"#tabs button[data-view='{view}']")).Click();
    }

    private static Task WaitForAsync(string what, Func<bool> condition) =>
        Poll.UntilAsync(what, Deadline, () => Task.FromResult(condition()));

    private void Fill(string id, string value)
    {
        IWebElement input = Browser.FindElement(By.Id(id));
        input.Clear();
        input.SendKeys(value);
    }

    /// <summary>Console errors (CSP violations among them) since the last check; there must be none.</summary>
    private void AssertNoConsoleErrors()
    {
        var errors = session.TakeConsoleLog().Where(e => e.Level >= LogLevel.Warning).Select(e => e.Message).ToList();
        Assert.True(errors.Count == 0, "console: " + string.Join(" | ", errors));
    }

    [Fact]
    public async Task The_page_comes_from_the_gateway_under_a_policy_without_inline_script_or_style()
    {
        using var http = new HttpClient();
        using HttpResponseMessage page = await http.GetAsync(session.ApiUrl);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        string policy = string.Join(";", page.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self'", policy);
        Assert.DoesNotContain("unsafe-inline", policy);
        Assert.DoesNotContain("unsafe-eval", policy);
        string html = await page.Content.ReadAsStringAsync();
        Assert.DoesNotContain("<script>", html);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(new Uri(session.ApiUrl, "console/missing.js"))).StatusCode);
    }

    [Fact]
    public async Task A_search_renders_its_hits_with_highlighted_terms_and_stage_timings()
    {
        Open("search");
        Fill("search-query", "fastest land animal");
        Browser.FindElement(By.CssSelector("#search-form button[type=submit]")).Click();
        await WaitForAsync("hits to render", () => Browser.FindElements(By.CssSelector("#search-hits li")).Count == 10);
        Assert.NotEmpty(Browser.FindElements(By.CssSelector("#search-hits mark")));
        Assert.Equal(4, Browser.FindElements(By.CssSelector("#timings-bar rect")).Count);
        Assert.Equal(ConsoleSession.Shards, Browser.FindElements(By.CssSelector("#shard-latencies rect.shard-latency")).Count);
        Assert.All(Browser.FindElements(By.CssSelector("#search-hits .hit-head")), head => Assert.Contains("replica 0", head.Text));
        session.Screenshot("search");
        AssertNoConsoleErrors();
    }

    [Fact]
    public async Task A_passage_made_of_markup_is_shown_as_text_and_runs_nothing()
    {
        Open("search");
        Fill("search-query", "highest mountain markup");
        Browser.FindElements(By.CssSelector("#search-mode option")).First(o => o.Text == "bm25").Click();
        Browser.FindElement(By.CssSelector("#search-form button[type=submit]")).Click();
        await WaitForAsync("the hostile passage to render", () =>
            Browser.FindElements(By.CssSelector("#search-hits .hit-title")).Any(t => t.Text == SampleCorpus.HostileTitle));
        IWebElement text = Browser.FindElements(By.CssSelector("#search-hits li"))
            .First(li => li.FindElement(By.CssSelector(".hit-title")).Text == SampleCorpus.HostileTitle)
            .FindElement(By.CssSelector(".hit-text"));
        Assert.Contains("<script>", text.Text);
        Assert.Empty(text.FindElements(By.TagName("img")));
        Assert.Empty(text.FindElements(By.TagName("script")));
        Assert.NotEqual(SampleCorpus.Pwned, Browser.Title);
        session.Screenshot("hostile-passage");
        AssertNoConsoleErrors();
    }

    [Fact]
    public async Task Compare_shows_dense_bm25_and_hybrid_side_by_side()
    {
        Open("compare");
        Fill("compare-query", "largest planet");
        Browser.FindElement(By.CssSelector("#compare-form button[type=submit]")).Click();
        await WaitForAsync("three ranked columns", () => Browser.FindElements(By.CssSelector("#compare-columns ol")).Count == 3);
        IReadOnlyList<IWebElement> columns = Browser.FindElements(By.CssSelector("#compare-columns ol"));
        // Dense ranks every passage; BM25 only those sharing a term; hybrid their union.
        Assert.Equal(10, columns[0].FindElements(By.TagName("li")).Count);
        Assert.Contains("Jupiter", columns[1].FindElements(By.TagName("li"))[0].Text);
        Assert.Equal(10, columns[2].FindElements(By.TagName("li")).Count);
        session.Screenshot("compare");
        AssertNoConsoleErrors();
    }

    [Fact]
    public async Task The_projection_draws_the_question_its_hits_and_the_sample()
    {
        Open("space");
        Fill("space-query", "the highest mountain");
        Fill("space-k", "3");
        Fill("space-sample", "5");
        Browser.FindElement(By.CssSelector("#space-form button[type=submit]")).Click();
        await WaitForAsync("the projection to draw", () => Browser.FindElements(By.CssSelector("#space-plot circle")).Count > 0);
        Assert.Single(Browser.FindElements(By.CssSelector("#space-plot circle[data-kind=query]")));
        Assert.Equal(3, Browser.FindElements(By.CssSelector("#space-plot circle[data-kind=hit]")).Count);
        Assert.Equal(5, Browser.FindElements(By.CssSelector("#space-plot circle[data-kind=sample]")).Count);
        session.Screenshot("embedding-space");
        AssertNoConsoleErrors();
    }

    [Fact]
    public async Task Uploaded_qrels_give_the_metrics_table_and_lines_to_the_judged_passages()
    {
        string queries = Path.Combine(Path.GetTempPath(), $"console-queries-{Guid.NewGuid():N}.jsonl");
        string qrels = Path.Combine(Path.GetTempPath(), $"console-qrels-{Guid.NewGuid():N}.tsv");
        File.WriteAllLines(queries, ["{\"_id\":\"q1\",\"text\":\"which river flows north\"}", "{\"_id\":\"q2\",\"text\":\"capital of France\"}"]);
        File.WriteAllLines(qrels, ["query-id\tcorpus-id\tscore", "q1\tnile\t1", "q1\tamazon\t1", "q2\tparis\t1"]);
        try
        {
            Open("compare");
            Browser.FindElement(By.Id("qrels-queries")).SendKeys(queries);
            Browser.FindElement(By.Id("qrels-file")).SendKeys(qrels);
            Browser.FindElement(By.CssSelector("#qrels-form button[type=submit]")).Click();
            await WaitForAsync("the metrics table", () => Browser.FindElements(By.CssSelector("#qrels-table tbody tr")).Count == 3);
            Assert.Equal(2, Browser.FindElements(By.CssSelector("#qrels-per-query tbody tr")).Count);
            // BM25 finds Paris for "capital of France" at rank 1: its row's MRR is at least a half.
            IWebElement bm25 = Browser.FindElements(By.CssSelector("#qrels-table tbody tr"))[1];
            Assert.True(double.Parse(bm25.FindElements(By.TagName("td"))[2].Text, System.Globalization.CultureInfo.InvariantCulture) >= 0.5);
            session.Screenshot("compare-qrels");

            Browser.FindElement(By.CssSelector("#tabs button[data-view='space']")).Click();
            Fill("space-query", "which river flows north");
            Fill("space-k", "2");
            Fill("space-sample", "4");
            Browser.FindElement(By.CssSelector("#space-form button[type=submit]")).Click();
            await WaitForAsync("lines to the judged passages", () => Browser.FindElements(By.CssSelector("#space-plot line.judged-line")).Count == 2);
            AssertNoConsoleErrors();
        }
        finally
        {
            File.Delete(queries);
            File.Delete(qrels);
        }
    }

    [Fact]
    public async Task A_bad_projection_request_gets_a_specific_problem()
    {
        using var http = new HttpClient();
        using var content = new StringContent("{\"query\":\"mountain\",\"k\":0}", System.Text.Encoding.UTF8, "application/json");
        using HttpResponseMessage response = await http.PostAsync(new Uri(session.ApiUrl, "v1/projection"), content);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("\"code\":\"invalid_request\"", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_cluster_grid_lists_every_shard_replica_serving()
    {
        Open("cluster");
        await WaitForAsync("the replica grid", () => Browser.FindElements(By.CssSelector("#cluster-grid td.replica")).Count == ConsoleSession.Shards);
        Assert.All(Browser.FindElements(By.CssSelector("#cluster-grid td.replica")), cell =>
        {
            Assert.Contains("serving", cell.GetAttribute("class"));
            Assert.Contains("LSN", cell.Text);
            Assert.Contains("recall probe", cell.Text);
        });
        Assert.NotEmpty(Browser.FindElements(By.CssSelector("#cluster-silos tbody tr")));
        Assert.Contains("passage batches", Browser.FindElement(By.Id("cluster-encoder")).Text);
        session.Screenshot("cluster");
        AssertNoConsoleErrors();
    }

    [Fact]
    public async Task Ingest_through_the_page_needs_the_key_shows_progress_and_the_passages_become_searchable()
    {
        string file = Path.Combine(Path.GetTempPath(), $"console-upload-{Guid.NewGuid():N}.jsonl");
        File.WriteAllLines(file, Enumerable.Range(0, 30).Select(i =>
            $"{{\"id\":\"upload-{i}\",\"title\":\"Upload {i}\",\"text\":\"zeppelin airship number {i} floats over the harbour\"}}"));
        try
        {
            Open("ingest");
            Browser.FindElement(By.Id("ingest-file")).SendKeys(file);
            Fill("ingest-batch", "8");
            Browser.FindElement(By.CssSelector("#ingest-form button[type=submit]")).Click();
            await WaitForAsync("the refusal without a key", () => Browser.FindElement(By.Id("status")).Text.Contains("unauthorized"));
            _ = session.TakeConsoleLog(); // the browser itself logs the refused request's 401

            Fill("ingest-key", ConsoleSession.ApiKey);
            Browser.FindElement(By.CssSelector("#ingest-form button[type=submit]")).Click();
            await WaitForAsync("the upload to finish", () => Browser.FindElement(By.Id("ingest-text")).Text == "30 / 30 passages stored");
            Assert.Equal("30", Browser.FindElement(By.Id("ingest-progress")).GetAttribute("value"));
            session.Screenshot("ingest");
            AssertNoConsoleErrors();
        }
        finally
        {
            File.Delete(file);
        }
        using var client = new ClusterClient(session.ApiUrl, timeout: TimeSpan.FromSeconds(60));
        SearchResponseBody found = await client.SearchAsync(new SearchBody { Query = "zeppelin airship", K = 30, Mode = "bm25" });
        Assert.Equal(30, found.Hits.Count(h => h.Id.StartsWith("upload-", StringComparison.Ordinal)));
    }
}
