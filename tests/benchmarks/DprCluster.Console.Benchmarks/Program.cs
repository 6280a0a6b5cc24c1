// The web console's weight and speed, measured by the browser itself (Navigation and Resource Timing, and the
// console's own 'search-rendered' measure): every byte the page loads, and the time from navigation to the first
// rendered search result when the question is submitted as soon as the page has loaded. A fresh headless chromium
// per round, so nothing is cached.
//   dotnet run --project tests/benchmarks/DprCluster.Console.Benchmarks -c Release -- --url http://127.0.0.1:8080 [--query Q] [--rounds 5]
using System.Globalization;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;

string url = Option("--url") ?? "http://127.0.0.1:8080";
string query = Option("--query") ?? "What is the tallest mountain in the world?";
int rounds = int.Parse(Option("--rounds") ?? "5", CultureInfo.InvariantCulture);

var results = new List<(double Bytes, double Loaded, double Search)>();
for (int round = 0; round < rounds; round++)
{
    var options = new ChromeOptions { BinaryLocation = "/usr/bin/chromium" };
    options.AddArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,900");
    ChromeDriverService service = ChromeDriverService.CreateDefaultService("/usr/bin", "chromedriver");
    service.HideCommandPromptWindow = true;
    using var browser = new ChromeDriver(service, options, TimeSpan.FromSeconds(120));
    browser.Navigate().GoToUrl(url);
    Until(() => browser.FindElement(By.Id("status")).Text == "ready");
    browser.FindElement(By.Id("search-query")).SendKeys(query);
    browser.FindElement(By.CssSelector("#search-form button[type=submit]")).Click();
    Until(() => browser.FindElements(By.CssSelector("#search-hits li")).Count > 0);
    var timing = (IReadOnlyDictionary<string, object>)((IJavaScriptExecutor)browser).ExecuteScript("""
        const nav = performance.getEntriesByType('navigation')[0];
        const bytes = [nav, ...performance.getEntriesByType('resource')].reduce((sum, e) => sum + e.decodedBodySize, 0);
        const search = performance.getEntriesByName('search-rendered')[0];
        return { bytes, loaded: nav.loadEventEnd, search: search.duration };
        """)!;
    results.Add((Number(timing["bytes"]), Number(timing["loaded"]), Number(timing["search"])));
}

Console.WriteLine($"web console at {url}, {rounds} cold rounds, question \"{query}\"");
Console.WriteLine("| round | bytes loaded | navigation → load (ms) | submit → hits rendered (ms) | first result (ms) |");
Console.WriteLine("|---|---|---|---|---|");
for (int i = 0; i < results.Count; i++)
{
    (double bytes, double loaded, double search) = results[i];
    Console.WriteLine($"| {i + 1} | {bytes:F0} | {loaded:F0} | {search:F0} | {loaded + search:F0} |");
}
List<double> first = results.ConvertAll(r => r.Loaded + r.Search);
first.Sort();
Console.WriteLine($"median first result {first[first.Count / 2]:F0} ms; page weight {results[0].Bytes / 1024:F1} KiB");

string? Option(string name)
{
    int at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
}

static double Number(object value) => Convert.ToDouble(value, CultureInfo.InvariantCulture);

static void Until(Func<bool> condition)
{
    DateTime deadline = DateTime.UtcNow.AddSeconds(60);
    while (!condition())
    {
        if (DateTime.UtcNow > deadline)
        {
            throw new TimeoutException("the console did not get there within 60 s");
        }
        Thread.Sleep(10);
    }
}
