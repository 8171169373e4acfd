// Word statistics: a typical 60-line contest-style program with slow habits
// (synchronised iostreams, endl, pass-by-value, an ordered map).
#include <algorithm>
#include <iostream>
#include <map>
#include <string>
#include <vector>
using namespace std;

string normalize(string w) {
    string out;
    for (char c : w) {
        if (c >= 'A' && c <= 'Z') c = c - 'A' + 'a';
        if (c >= 'a' && c <= 'z') out += c;
    }
    return out;
}

bool longer(pair<string, int> a, pair<string, int> b) {
    if (a.second != b.second) return a.second > b.second;
    return a.first < b.first;
}

int total_length(vector<string> words) {
    int total = 0;
    for (size_t i = 0; i < words.size(); i++) total += words[i].size();
    return total;
}

int main() {
    int n;
    cin >> n;
    vector<string> words;
    for (int i = 0; i < n; i++) {
        string w;
        cin >> w;
        w = normalize(w);
        if (!w.empty()) words.push_back(w);
    }
    map<string, int> counts;
    for (size_t i = 0; i < words.size(); i++) counts[words[i]]++;
    vector<pair<string, int>> ranked(counts.begin(), counts.end());
    sort(ranked.begin(), ranked.end(), longer);
    cout << "words " << words.size() << endl;
    cout << "distinct " << counts.size() << endl;
    cout << "letters " << total_length(words) << endl;
    int shown = 0;
    for (size_t i = 0; i < ranked.size(); i++) {
        if (shown == 10) break;
        cout << ranked[i].first << " " << ranked[i].second << endl;
        shown++;
    }
    for (size_t i = 0; i < words.size(); i++) {
        if (i % 1000 == 0) cout << i << " " << words[i] << endl;
    }
    return 0;
}
