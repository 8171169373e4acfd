// Counts words and answers queries about them: a typical first submission.
// Reads n words, then q queries (a word each); prints, for each query, how many
// times the word occurred, then the most frequent word overall.
#include <iostream>
#include <map>
#include <string>
#include <vector>
using namespace std;

map<string, int> count_words(const vector<string>& words) {
    map<string, int> counts;
    for (int i = 0; i < (int)words.size(); i++) {
        counts[words[i]] = counts[words[i]] + 1;
    }
    return counts;
}

int lookup(const map<string, int>& counts, const string& word) {
    auto it = counts.find(word);
    if (it == counts.end()) {
        return 0;
    }
    return it->second;
}

string most_frequent(const map<string, int>& counts) {
    string best = "";
    int best_count = 0;
    for (auto it = counts.begin(); it != counts.end(); it++) {
        if (it->second > best_count) {
            best = it->first;
            best_count = it->second;
        }
    }
    return best;
}

int main() {
    ios::sync_with_stdio(false);
    cin.tie(nullptr);
    int n;
    cin >> n;
    vector<string> words;
    for (int i = 0; i < n; i++) {
        string w;
        cin >> w;
        words.push_back(w);
    }
    map<string, int> counts = count_words(words);
    int q;
    cin >> q;
    for (int i = 0; i < q; i++) {
        string w;
        cin >> w;
        cout << lookup(counts, w) << '\n';
    }
    cout << most_frequent(counts) << '\n';
    return 0;
}
