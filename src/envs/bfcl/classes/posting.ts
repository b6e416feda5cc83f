import { pyEquals } from '../python/equals.js';
import { add, toInt } from '../python/numbers.js';
import { pyStr } from '../python/repr.js';
import { dict, isDict, PyException, pyTypeName, toKey, truthy, type PyDict, type PyValue } from '../python/values.js';
import { asList, asStr, contains, defineBackend, failure, field, getItem } from './base.js';

/** TwitterAPI (BFCL `posting_api.py`): one signed-in account posting, retweeting and commenting. */

export class TwitterAPI {
  username: PyValue = 'john';
  password: PyValue = 'john123';
  authenticated: PyValue = false;
  tweets: PyDict = new Map();
  comments: PyValue = new Map();
  retweets: PyValue = new Map();
  followingList: PyValue = ['alice', 'bob'];
  tweetCounter: PyValue = 0;
}

function notAuthenticated(action: string): PyDict {
  return failure(`User not authenticated. Please authenticate before ${action}.`);
}

function tweetOf(api: TwitterAPI, id: PyValue): PyValue | undefined {
  return contains(api.tweets, id) ? getItem(api.tweets, id) : undefined;
}

function lowered(value: PyValue): string {
  return asStr(value, 'lower').toLowerCase();
}

function listAt(container: PyValue, key: PyValue): PyValue[] {
  if (!isDict(container)) throw new PyException('TypeError', `'${pyTypeName(container)}' object is not subscriptable`);
  const existing = container.get(toKey(key));
  if (Array.isArray(existing)) return existing;
  const created: PyValue[] = [];
  container.set(toKey(key), created);
  return created;
}

function appendTo(list: PyValue, value: PyValue): void {
  if (!Array.isArray(list)) throw new PyException('AttributeError', `'${pyTypeName(list)}' object has no attribute 'append'`);
  list.push(value);
}

export const twitterApi = defineBackend<TwitterAPI>({
  name: 'TwitterAPI',
  docFile: 'posting_api',
  create(scenario) {
    const api = new TwitterAPI();
    api.username = field(scenario, 'username', 'john');
    api.password = field(scenario, 'password', 'john123');
    api.authenticated = field(scenario, 'authenticated', false);
    // tweet ids come as JSON strings; the class keys them by int
    const tweets = field(scenario, 'tweets', new Map());
    api.tweets = new Map(isDict(tweets) ? [...tweets].map(([key, tweet]) => [toInt(key), tweet] as const) : []);
    api.comments = field(scenario, 'comments', new Map());
    api.retweets = field(scenario, 'retweets', new Map());
    api.followingList = field(scenario, 'following_list', ['alice', 'bob']);
    api.tweetCounter = field(scenario, 'tweet_counter', 0);
    return api;
  },
  publicState: (api) => [
    ['username', api.username],
    ['password', api.password],
    ['authenticated', api.authenticated],
    ['tweets', api.tweets],
    ['comments', api.comments],
    ['retweets', api.retweets],
    ['following_list', api.followingList],
    ['tweet_counter', api.tweetCounter],
  ],
  methods: {
    authenticate_twitter: {
      params: ['username', 'password'],
      run(api, { username, password }) {
        if (pyEquals(username!, api.username) && pyEquals(password!, api.password)) {
          api.authenticated = true;
          return dict({ authentication_status: true });
        }
        return dict({ authentication_status: false });
      },
    },
    posting_get_login_status: {
      params: [],
      run: (api) => dict({ login_status: truthy(api.authenticated) }),
    },
    post_tweet: {
      params: ['content', ['tags', []], ['mentions', []]],
      run(api, { content, tags, mentions }) {
        if (!truthy(api.authenticated)) return notAuthenticated('posting');
        const tweet = dict({ id: api.tweetCounter, username: api.username, content: content!, tags: tags!, mentions: mentions! });
        api.tweets.set(toKey(api.tweetCounter), tweet);
        api.tweetCounter = add(api.tweetCounter, 1);
        return tweet;
      },
    },
    retweet: {
      params: ['tweet_id'],
      run(api, { tweet_id }) {
        if (!truthy(api.authenticated)) return notAuthenticated('retweeting');
        if (tweetOf(api, tweet_id!) === undefined) return failure(`Tweet with ID ${pyStr(tweet_id!)} not found.`);
        const mine = listAt(api.retweets, api.username);
        if (contains(mine, tweet_id!)) return dict({ retweet_status: 'Already retweeted' });
        mine.push(tweet_id!);
        return dict({ retweet_status: 'Successfully retweeted' });
      },
    },
    comment: {
      params: ['tweet_id', 'comment_content'],
      run(api, { tweet_id, comment_content }) {
        if (!truthy(api.authenticated)) return notAuthenticated('commenting');
        if (tweetOf(api, tweet_id!) === undefined) return failure(`Tweet with ID ${pyStr(tweet_id!)} not found.`);
        listAt(api.comments, tweet_id!).push(dict({ username: api.username, content: comment_content! }));
        return dict({ comment_status: 'Comment added successfully' });
      },
    },
    mention: {
      params: ['tweet_id', 'mentioned_usernames'],
      run(api, { tweet_id, mentioned_usernames }) {
        const tweet = tweetOf(api, tweet_id!);
        if (tweet === undefined) return failure(`Tweet with ID ${pyStr(tweet_id!)} not found.`);
        const mentions = getItem(tweet, 'mentions');
        for (const name of asList(mentioned_usernames!)) appendTo(mentions, name);
        return dict({ mention_status: 'Users mentioned successfully' });
      },
    },
    follow_user: {
      params: ['username_to_follow'],
      run(api, { username_to_follow }) {
        if (!truthy(api.authenticated)) return notAuthenticated('following');
        if (contains(api.followingList, username_to_follow!)) return dict({ follow_status: false });
        appendTo(api.followingList, username_to_follow!);
        return dict({ follow_status: true });
      },
    },
    list_all_following: {
      params: [],
      run(api) {
        if (!truthy(api.authenticated)) return notAuthenticated('listing following');
        return dict({ following_list: api.followingList });
      },
    },
    unfollow_user: {
      params: ['username_to_unfollow'],
      run(api, { username_to_unfollow }) {
        if (!truthy(api.authenticated)) return notAuthenticated('unfollowing');
        if (!contains(api.followingList, username_to_unfollow!)) return dict({ unfollow_status: false });
        const list = api.followingList as PyValue[];
        list.splice(
          list.findIndex((name) => pyEquals(name, username_to_unfollow!)),
          1,
        );
        return dict({ unfollow_status: true });
      },
    },
    get_tweet: {
      params: ['tweet_id'],
      run(api, { tweet_id }) {
        const tweet = tweetOf(api, tweet_id!);
        return tweet === undefined ? failure(`Tweet with ID ${pyStr(tweet_id!)} not found.`) : tweet;
      },
    },
    get_user_tweets: {
      params: ['username'],
      run: (api, { username }) => [...api.tweets.values()].filter((tweet) => pyEquals(getItem(tweet, 'username'), username!)),
    },
    search_tweets: {
      params: ['keyword'],
      run(api, { keyword }) {
        const needle = lowered(keyword!);
        return [...api.tweets.values()].filter(
          (tweet) => lowered(getItem(tweet, 'content')).includes(needle) || asList(getItem(tweet, 'tags')).some((tag) => lowered(tag) === needle),
        );
      },
    },
    get_tweet_comments: {
      params: ['tweet_id'],
      run(api, { tweet_id }) {
        if (tweetOf(api, tweet_id!) === undefined) return failure(`Tweet with ID ${pyStr(tweet_id!)} not found.`);
        return contains(api.comments, tweet_id!) ? getItem(api.comments, tweet_id!) : [];
      },
    },
    get_user_stats: {
      params: ['username'],
      run(api, { username }) {
        const tweetCount = [...api.tweets.values()].filter((tweet) => pyEquals(getItem(tweet, 'username'), username!)).length;
        const followingCount = pyEquals(username!, api.username) ? asList(api.followingList).length : 0;
        const retweetCount = contains(api.retweets, username!) ? asList(getItem(api.retweets, username!)).length : 0;
        return dict({ tweet_count: tweetCount, following_count: followingCount, retweet_count: retweetCount });
      },
    },
  },
});
